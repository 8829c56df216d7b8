using System.Text;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// One model whose complete generated code is kept as snapshots: every spec in <c>specs/</c>, plus edge specs that
/// exercise the shapes the real models do not (one block, no GQA, GQA groups of 2 and 8, a head dimension that is not
/// a power of two, a vocabulary that is not a multiple of 32).
/// </summary>
/// <param name="Name">The snapshot folder under <c>Snapshots/</c>.</param>
/// <param name="SpecPath">The path the attribute names (and so the generated code quotes).</param>
internal sealed record SnapshotCase(string Name, string ClassName, string SpecPath, string SpecText)
{
    public const string Namespace = "Models";

    /// <summary>Edge specs: stories260K's hyperparameters with the overrides that make each case.</summary>
    private static readonly (string Name, (string Key, string? Value)[] Overrides)[] EdgeSpecs =
    [
        ("edge-single-block", [("block_count", "1")]),
        ("edge-no-gqa", [("attention.head_count_kv", "8")]),
        // 128 / 16 = 8 dimensions per head; 16 query heads share 8 KV heads in pairs.
        ("edge-gqa-group-2", [("embedding_length", "128"), ("attention.head_count", "16"), ("attention.head_count_kv", "8")]),
        ("edge-gqa-group-8", [("attention.head_count_kv", "1")]),
        // 96 / 8 = 12 dimensions per head: even (RoPE pairs) but not a power of two.
        ("edge-head-dim-12", [("embedding_length", "96")]),
        // Six heads of 32 on a 64-wide model (attention.key_length, as Mistral Nemo's 32 heads of 128 on 5120): attn_q has
        // 192 rows, attn_output 192 columns, and 64 is no multiple of 6.
        ("edge-stated-head-size", [("attention.head_count", "6"), ("attention.head_count_kv", "2"), ("attention.key_length", "32")]),
        // 509 is prime: the classifier's rows are neither whole 32-row groups nor whole SIMD passes.
        ("edge-vocab-509", [("vocab_size", "509")]),
    ];

    public static IReadOnlyList<SnapshotCase> All { get; } = CreateAll();

    public static TheoryData<string> Names() => new(All.Select(c => c.Name));

    public static SnapshotCase Named(string name) => All.Single(c => c.Name == name);

    public bool IsEdgeSpec => Name.StartsWith("edge-", StringComparison.Ordinal);

    public string Source =>
        $$"""
        namespace {{Namespace}};

        [LlamaGen.LlamaModel("{{SpecPath}}")]
        public partial class {{ClassName}};
        """;

    public GeneratorResult Run() => GeneratorHarness.Run(Source, ("/repo/" + SpecPath, SpecText));

    /// <summary>The snapshot folder of the kernels every case shares: each distinct kernel once.</summary>
    public const string KernelsCase = "kernels";

    /// <summary>Every case's model in one compilation: the shared kernel files then hold each distinct kernel once.</summary>
    public static GeneratorResult RunAll() => GeneratorHarness.Run(
        All.Select(c => c.Source).ToArray(), All.Select(c => ("/repo/" + c.SpecPath, c.SpecText)).ToArray());

    /// <summary>Whether a generated file is shared by every model of the compilation (kernels, helpers, table, registry).</summary>
    public static bool IsShared(string hintName) =>
        hintName.StartsWith("LlamaGen.Kernel", StringComparison.Ordinal) || hintName == "LlamaModels.g.cs";

    /// <summary>The per-model files of a run (shape, weights, forward), by hint name.</summary>
    public static IReadOnlyList<(string HintName, string Text)> Sources(GeneratorResult result) =>
        result.RunResult.Results.Single().GeneratedSources.Where(s => !IsShared(s.HintName))
            .Select(s => (s.HintName, s.SourceText.ToString())).ToList();

    /// <summary>The shared kernel files of a run, by hint name.</summary>
    public static IReadOnlyList<(string HintName, string Text)> KernelSources(GeneratorResult result) =>
        result.RunResult.Results.Single().GeneratedSources.Where(s => s.HintName.StartsWith("LlamaGen.Kernel", StringComparison.Ordinal))
            .Select(s => (s.HintName, s.SourceText.ToString())).ToList();

    private static List<SnapshotCase> CreateAll()
    {
        var cases = new List<SnapshotCase>();
        foreach (string path in Directory.GetFiles(RepositoryPaths.Specs, "*.json").OrderBy(p => p, StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            cases.Add(new SnapshotCase(name, ClassNameFor(name), "specs/" + Path.GetFileName(path), File.ReadAllText(path)));
        }
        foreach (var (name, overrides) in EdgeSpecs)
        {
            // Two weight types (one float, one quantized) keep the edge snapshots small; stories260k covers all four.
            string text = Tests.SpecText.With([("name", $"\"{name}\""), ("weight_types", "[\"f32\", \"q8_0\"]"), .. overrides]);
            cases.Add(new SnapshotCase(name, ClassNameFor(name), "specs/edge/" + name + ".json", text));
        }
        return cases;
    }

    /// <summary><c>llama2-7b</c> -&gt; <c>Llama2_7b</c>, <c>llama-2-tiny-random</c> -&gt; <c>Llama2TinyRandom</c>.</summary>
    private static string ClassNameFor(string name)
    {
        var builder = new StringBuilder();
        foreach (string part in name.Split(['-', '.', '_'], StringSplitOptions.RemoveEmptyEntries))
        {
            // Digits on both sides of a separator would run together ("llama2" + "7b"): keep them apart.
            if (builder.Length > 0 && char.IsDigit(builder[^1]) && char.IsDigit(part[0])) builder.Append('_');
            builder.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        }
        return builder.ToString();
    }
}
