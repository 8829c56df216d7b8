using System.CommandLine;
using System.Text.Json;
using LlamaGen.Rag.Asking;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Prompting;
using LlamaGen.Rag.Retrieval;
using LlamaGen.Rag.Storage;

namespace LlamaGen.Rag.Cli;

/// <summary><c>llamagen-rag ask --store rag.db --model M "question"</c></summary>
internal static class AskCommand
{
    private const int ExcerptLength = 100;

    public static Command Create(RagCliContext context)
    {
        var store = new Option<string>("--store", "-s") { Description = "Store file made by ingest", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "The model that ingested the store", Required = true };
        var question = new Argument<string>("QUESTION") { Description = "The question" };
        var topK = new Option<int>("--top-k", "-k") { Description = "Passages to retrieve", DefaultValueFactory = _ => 5 };
        var mode = new Option<RetrievalMode>("--mode") { Description = "Ranking: hybrid (BM25 + vectors), vector or keyword", DefaultValueFactory = _ => RetrievalMode.Hybrid };
        var fusion = new Option<HybridFusion>("--fusion")
        {
            Description = "How hybrid mode combines BM25 and vectors: convex (normalized scores) or rrf (reciprocal rank, calibrated weights)",
            DefaultValueFactory = _ => HybridFusion.Convex,
        };
        var semanticWeight = new Option<double>("--semantic-weight")
        {
            Description = "Convex fusion: the vectors' share (0 to 1) before the ingest calibration scales it",
            DefaultValueFactory = _ => ConvexScoreFusion.DefaultSemanticWeight,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: question, passages, answer, citations" };
        var noGenerate = new Option<bool>("--no-generate") { Description = "Retrieve only: no answer" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Upper bound on the answer's tokens (default: 256, or a quarter of a smaller model's context)" };
        var command = new Command("ask", "Answer a question from the stored passages, citing them")
            { store, model, question, topK, mode, fusion, semanticWeight, json, noGenerate, maxTokens };
        command.SetAction((parse, _) => RunAsync(context, parse.GetValue(store)!, parse.GetValue(model)!, parse.GetValue(question)!,
            new AskOptions(parse.GetValue(topK), parse.GetValue(mode), !parse.GetValue(noGenerate), parse.GetValue(maxTokens) ?? AskOptions.DefaultMaxAnswerTokens),
            new HybridFusionOptions(parse.GetValue(fusion), parse.GetValue(semanticWeight)), parse.GetValue(json), answerTokensGiven: parse.GetValue(maxTokens) is not null));
        return command;
    }

    private static async Task<int> RunAsync(RagCliContext context, string storePath, string modelPath, string question, AskOptions options,
        HybridFusionOptions fusion, bool json, bool answerTokensGiven)
    {
        RagCommandLine.Validate(options.Validate);
        RagCommandLine.Validate(fusion.Validate);
        if (string.IsNullOrWhiteSpace(question)) throw new RagInputException("the question is empty");
        using var ledger = RagStore.Open(storePath, readOnly: true);
        using var model = context.LoadModel(modelPath);
        ledger.RequireModel(model.Identity);
        // 256 answer tokens would leave a 512-token model (stories260K) no room for passages: take a quarter of its context.
        if (!answerTokensGiven) options = options with { MaxAnswerTokens = Math.Min(AskOptions.DefaultMaxAnswerTokens, model.ContextTokens / 4) };
        using var passages = PassageStoreFactory.Create(ledger, model.Embeddings, fusion: fusion);
        var retriever = new PassageRetriever(passages, model.Embeddings);
        retriever.Fallback += message => context.Stderr.WriteLine($"warning: {message}");
        var workflow = new AskWorkflow(retriever, model.Chat, new RagPromptBuilder(model.Tokens, model.ContextTokens, options.MaxAnswerTokens));

        // Text output streams the answer as it comes; JSON is one object, written once the answer is complete.
        Action<string>? stream = json ? null : text => { context.Stdout.Write(text); context.Stdout.Flush(); };
        AskResult result;
        try
        {
            result = await workflow.AskAsync(question, options, stream, context.Cancellation);
        }
        catch (OperationCanceledException)
        {
            context.Stdout.Flush();
            context.Stderr.WriteLine("\ninterrupted");
            return RagCommandLine.Cancelled;
        }
        if (result.OmittedPassages > 0)
            context.Stderr.WriteLine($"warning: {result.OmittedPassages} of {result.OmittedPassages + result.Passages.Count} retrieved passages did not fit the model's {model.ContextTokens}-token context and were left out");
        if (result.InvalidCitations.Count > 0)
            context.Stderr.WriteLine($"warning: the answer cites {string.Join(", ", result.InvalidCitations.Select(n => $"[{n}]"))}, which name no passage it was given");

        if (json)
            context.Stdout.WriteLine(JsonSerializer.Serialize(AskJsonOutput.From(result), RagJsonContext.Default.AskJsonOutput));
        else
            WriteSources(context.Stdout, result);
        return 0;
    }

    private static void WriteSources(TextWriter output, AskResult result)
    {
        if (result.Answer is not null) output.WriteLine(result.Answer.EndsWith('\n') ? "" : "\n");
        output.WriteLine(result.Passages.Count == 0 ? "No passages found." : "Sources:");
        for (int i = 0; i < result.Passages.Count; i++)
        {
            var passage = result.Passages[i].Passage;
            string page = passage.Page is { } p ? $", page {p}" : "";
            output.WriteLine($"[{i + 1}] {passage.File}, passage {passage.Position}{page} (score {result.Passages[i].Score:F4}): \"{Excerpt(passage.Text)}\"");
        }
    }

    private static string Excerpt(string text)
    {
        string flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length <= ExcerptLength) return flat;
        int cut = flat.LastIndexOf(' ', ExcerptLength);
        return flat[..(cut > ExcerptLength / 2 ? cut : ExcerptLength)] + "…";
    }
}
