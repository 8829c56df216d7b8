using System.Text.Json.Nodes;
using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// Every real template in <c>../shared/fixtures/chat-templates</c> with every conversation of <see cref="Conversations"/>,
/// with and without the generation prompt, rendered by jinja2 (as Hugging Face's <c>apply_chat_template</c> renders) and
/// by us: byte-identical outputs, and where jinja2 raises (Gemma 2 refuses a system message), the same exception and message.
/// </summary>
public sealed class FixtureTemplateTests
{
    private static List<OracleCase> Cases()
    {
        var cases = new List<OracleCase>();
        foreach (var (name, template) in ChatFixtures.Templates())
        {
            // The plain conversations also go with tool definitions, so the tool-use templates (which need them) render them.
            var conversations = Conversations.Plain()
                .Concat(Conversations.Plain().Select(c => c with { Name = c.Name + " (with tools)", Tools = Conversations.WeatherTools }))
                .Concat(Conversations.ToolUse());
            foreach (var conversation in conversations)
                foreach (bool generationPrompt in new[] { false, true })
                    cases.Add(new OracleCase($"{name} / {conversation.Name} / add_generation_prompt={generationPrompt}",
                        template, Conversations.Variables(conversation, name, generationPrompt)));
        }
        return cases;
    }

    [Fact]
    public void EveryFixtureTemplateRendersEveryConversationAsJinja2Does()
    {
        List<OracleCase> cases = Cases();
        Assert.Equal(10, ChatFixtures.Templates().Count);
        int compared = OracleComparison.AssertNoDifferences(cases, "fixture templates x conversations", compareErrorLines: true, out var results);

        // The comparison is only worth something if renders succeed: count them per template.
        var perTemplate = cases.Zip(results).GroupBy(p => p.First.Name.Split(" / ")[0])
            .Select(g => $"{g.Key}: {g.Count(p => p.Second.Ok)} rendered, {g.Count(p => !p.Second.Ok)} raised").ToList();
        TestContext.Current.SendDiagnosticMessage($"{compared} cases: " + string.Join("; ", perTemplate));
        foreach (var group in cases.Zip(results).GroupBy(p => p.First.Name.Split(" / ")[0]))
            Assert.True(group.Count(p => p.Second.Ok) >= 40, $"{group.Key}: too few successful renders to compare");
    }

    [Fact]
    public void Gemma2RefusesASystemMessageWithJinja2sMessage()
    {
        string template = ChatFixtures.Template("google-gemma-2-2b-it");
        var conversation = Conversations.Plain().First(c => c.Name == "system and user");
        JsonObject variables = Conversations.Variables(conversation, "gemma", addGenerationPrompt: true);

        OracleResult expected = Jinja2Oracle.Render([new OracleCase("gemma system", template, variables)])[0];
        Assert.False(expected.Ok);
        Assert.Equal("TemplateError", expected.Type);

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template).Render(variables));
        Assert.Equal(ChatTemplateErrorKind.Raised, error.Kind);
        Assert.Equal(expected.Message, error.Message);
        Assert.Equal("System role not supported", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void ChatPromptRendersWhatTheTemplateRendersWithHuggingFacesVariables()
    {
        int checkedCount = 0;
        foreach (var (name, template) in ChatFixtures.Templates())
        {
            var (bos, eos) = Conversations.SpecialTokens(name);
            var prompt = new ChatPrompt(template, bos, eos);
            foreach (var conversation in Conversations.Plain().Concat(Conversations.ToolUse()))
            {
                var options = new ChatPromptOptions
                {
                    AddGenerationPrompt = true,
                    Tools = conversation.Tools,
                    Documents = conversation.Documents,
                    ExtraVariables = conversation.Extra?.ToDictionary(e => e.Key, e => (object?)e.Value),
                };
                string? direct = TryRender(() => ChatTemplate.Parse(template).Render(Conversations.Variables(conversation, name, true)));
                string? viaPrompt = TryRender(() => prompt.Render(conversation.Messages, options));
                Assert.Equal(direct, viaPrompt);
                checkedCount++;
            }
        }
        Assert.True(checkedCount >= 300);
    }

    private static string? TryRender(Func<string> render)
    {
        try
        {
            return render();
        }
        catch (ChatTemplateException e)
        {
            return "error: " + e.Message;
        }
    }
}
