using LlamaGen.Rag.Prompting;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Tests.Support;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.Tests;

public sealed class PromptTests
{
    private static RetrievedPassage Passage(int position, string text) =>
        new(TestStores.Record("docs/file.txt", position, new float[8], text), 1.0 / (position + 1));

    [Fact]
    public void Passages_are_numbered_best_first_before_the_question()
    {
        var prompt = new RagPromptBuilder(TestTokens.Llama2, 4096, 256).Build("Why is the sky blue?",
            [Passage(4, "Rayleigh scattering favours short wavelengths."), Passage(1, "Sunsets look red.")]);
        Assert.Equal(ChatRole.System, prompt.Messages[0].Role);
        Assert.Contains("[1], [2]", prompt.Messages[0].Text);
        string user = prompt.Messages[1].Text;
        Assert.Equal(ChatRole.User, prompt.Messages[1].Role);
        Assert.True(user.IndexOf("[1] Title of docs/file.txt (docs/file.txt)\nRayleigh", StringComparison.Ordinal) < user.IndexOf("[2] ", StringComparison.Ordinal));
        Assert.EndsWith("Question: Why is the sky blue?", user);
        Assert.Equal(2, prompt.Passages.Count);
    }

    [Fact]
    public void Passages_that_do_not_fit_the_context_are_left_out_and_counted()
    {
        string longText = string.Join(" ", Enumerable.Repeat("lengthy words fill the context window", 60));
        var prompt = new RagPromptBuilder(TestTokens.Llama2, 512, 128).Build("q?", [Passage(0, longText), Passage(1, "short one"), Passage(2, longText)]);
        Assert.Equal(["short one"], prompt.Passages.Select(p => p.Passage.Text));
        Assert.Equal(2, prompt.Omitted);
        Assert.Contains("[1] ", prompt.Messages[1].Text);
        Assert.DoesNotContain("[2] ", prompt.Messages[1].Text);
    }

    [Fact]
    public void A_question_too_long_for_the_context_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new RagPromptBuilder(TestTokens.Llama2, 256, 200).Build(string.Join(" ", Enumerable.Repeat("word", 100)), []));
    }

    [Theory]
    [InlineData("Bees live six weeks [1]. Winter bees live longer [2][1].", 3, new[] { 1, 2 }, new int[0])]
    [InlineData("See [2, 3] and [3;1].", 3, new[] { 2, 3, 1 }, new int[0])]
    [InlineData("Cites [4] and [0] but also [2].", 3, new[] { 2 }, new[] { 4, 0 })]
    [InlineData("No citations [a] [ ] here.", 3, new int[0], new int[0])]
    public void Citations_are_read_in_order_of_first_use(string answer, int passages, int[] expected, int[] invalid)
    {
        var outOfRange = new List<int>();
        Assert.Equal(expected, CitationParser.Parse(answer, passages, outOfRange));
        Assert.Equal(invalid, outOfRange);
    }
}
