using LlamaGen.Chat.Tests.Oracle;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// The property test: hundreds of seeded random conversations through the Llama 2-Chat, Llama 3.1 and ChatML (Qwen 2.5)
/// templates, with and without the generation prompt, render exactly as jinja2 renders them.
/// </summary>
public sealed class RandomConversationTests
{
    private const int PerTemplate = 300;
    private const int Seed = 20240726;

    [Fact]
    public void RandomConversationsRenderAsJinja2Does()
    {
        string[] templates = ["meta-llama-Llama-2-7b-chat", "meta-llama-Llama-3.1-8B-Instruct", "Qwen-Qwen2.5-7B-Instruct"];
        var random = new Random(Seed);
        var cases = new List<OracleCase>();
        foreach (string name in templates)
        {
            string template = ChatFixtures.Template(name);
            for (int i = 0; i < PerTemplate; i++)
            {
                var conversation = new Conversations.Conversation($"random #{i}", RandomConversations.Next(random));
                bool generationPrompt = random.Next(2) == 0;
                cases.Add(new OracleCase($"{name} / random #{i} / add_generation_prompt={generationPrompt}: {conversation.Messages.ToJsonString()}",
                    template, Conversations.Variables(conversation, name, generationPrompt)));
            }
        }
        int compared = OracleComparison.AssertNoDifferences(cases, "random conversations", compareErrorLines: true, out var results);
        Assert.Equal(templates.Length * PerTemplate, compared);
        Assert.True(results.Count(r => r.Ok) >= compared * 9 / 10, "most random conversations should render, not raise");
    }
}
