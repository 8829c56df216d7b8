using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// More templates than the fixtures: every <c>*.jinja</c> in the folder named by <c>LLAMAGEN_EXTRA_TEMPLATES</c> (for
/// example llama.cpp's <c>models/templates</c>) against every conversation, compared with jinja2. Without the variable
/// there is nothing to compare and the test says so.
/// </summary>
public sealed class ExtraTemplateTests
{
    [Fact]
    public void ExtraTemplatesRenderAsJinja2Does()
    {
        string? folder = Environment.GetEnvironmentVariable("LLAMAGEN_EXTRA_TEMPLATES");
        if (string.IsNullOrEmpty(folder))
        {
            TestContext.Current.SendDiagnosticMessage("LLAMAGEN_EXTRA_TEMPLATES is not set: no extra templates compared.");
            return;
        }
        var cases = new List<OracleCase>();
        foreach (string path in Directory.GetFiles(folder, "*.jinja").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path), template = File.ReadAllText(path);
            foreach (var conversation in Conversations.Plain().Concat(Conversations.ToolUse()))
                foreach (bool generationPrompt in new[] { false, true })
                    cases.Add(new OracleCase($"{name} / {conversation.Name} / add_generation_prompt={generationPrompt}",
                        template, Conversations.Variables(conversation, name, generationPrompt)));
        }
        Assert.NotEmpty(cases);
        OracleComparison.AssertNoDifferences(cases, $"extra templates in {folder}");
    }
}
