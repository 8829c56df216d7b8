using LlamaGen.Rag.Evaluation;
using System.Text.Json;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Tests.Support;

namespace LlamaGen.Rag.Tests;

/// <summary>
/// ACCEPTANCE (issue #14): the llamagen-rag command with the REAL composition point
/// (<see cref="RagModelComposition.Load"/>) and a fixture model ingests the bundled corpus, asks every bundled question,
/// and checks that hybrid retrieval puts the answering passage in the top 5 for at least 90 % of them and that every
/// citation of an answer names a retrieved passage.
/// </summary>
public sealed class EndToEndAcceptanceTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Fixture_model_ingests_the_corpus_and_answers_the_bundled_questions_with_valid_citations()
    {
        string model = Fixtures.TinyRandomGguf;

        string corpus = _temp.CopyCorpus();
        string store = _temp["rag.db"];
        var ingest = await CliRun.RunAsync(RagModelComposition.Load, "ingest", "--store", store, "--model", model, corpus);
        Assert.True(ingest.ExitCode == 0, ingest.Stderr);

        var questions = EvaluationQuestion.Load(Fixtures.Questions);
        int answered = 0;
        var misses = new List<string>();
        foreach (var question in questions)
        {
            var ask = await CliRun.RunAsync(RagModelComposition.Load, "ask", "--store", store, "--model", model, "--json", "--max-tokens", "64", question.Question);
            Assert.True(ask.ExitCode == 0, ask.Stderr);
            using var json = JsonDocument.Parse(ask.Stdout);
            var passages = json.RootElement.GetProperty("passages").EnumerateArray().ToList();
            Assert.InRange(passages.Count, 1, 5);
            if (passages.Any(p => question.IsAnsweredBy(p.GetProperty("file").GetString()!, p.GetProperty("text").GetString()!))) answered++;
            else misses.Add(question.Question);
            foreach (var citation in json.RootElement.GetProperty("citations").EnumerateArray())
                Assert.InRange(citation.GetInt32(), 1, passages.Count);
            Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("answer").ValueKind);
        }
        double recall = (double)answered / questions.Count;
        TestContext.Current.SendDiagnosticMessage($"fixture model, hybrid: recall@5 {recall:P1}");
        Assert.True(recall >= 0.9, $"recall@5 {recall:P1}; missed: {string.Join("; ", misses)}");
    }
}
