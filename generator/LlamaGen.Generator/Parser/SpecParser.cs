using System;
using System.Collections.Generic;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Json;
using LlamaGen.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace LlamaGen.Generator.Parser;

/// <summary>
/// Turns spec JSON into a <see cref="ModelSpec"/>, or into diagnostics that point at the offending JSON.
/// Keys follow the GGUF <c>llama.*</c> metadata names so a spec can be checked against a file.
/// </summary>
internal sealed class SpecParser
{
    public const string NameKey = "name";
    public const string ArchitectureKey = "architecture";
    public const string EmbeddingLengthKey = "embedding_length";
    public const string BlockCountKey = "block_count";
    public const string HeadCountKey = "attention.head_count";
    public const string HeadCountKvKey = "attention.head_count_kv";
    public const string FeedForwardLengthKey = "feed_forward_length";
    public const string VocabSizeKey = "vocab_size";
    public const string ContextLengthKey = "context_length";
    public const string RopeFreqBaseKey = "rope.freq_base";
    public const string RmsEpsilonKey = "attention.layer_norm_rms_epsilon";
    public const string WeightTypesKey = "weight_types";

    // Llama 2's values; llama.cpp uses the same when a GGUF file omits the key.
    public const double DefaultRopeFreqBase = 10000.0;
    public const double DefaultRmsEpsilon = 1e-5;

    private static readonly string[] KnownKeys =
    {
        NameKey, ArchitectureKey, EmbeddingLengthKey, BlockCountKey, HeadCountKey, HeadCountKvKey,
        FeedForwardLengthKey, VocabSizeKey, ContextLengthKey, RopeFreqBaseKey, RmsEpsilonKey, WeightTypesKey,
    };

    private readonly string path;
    private readonly SourceText text;
    private readonly List<DiagnosticInfo> diagnostics = new();
    private readonly Dictionary<string, JsonMember> members = new(StringComparer.Ordinal);
    private JsonNode root = null!;

    private SpecParser(SpecFile file)
    {
        path = file.Path;
        text = SourceText.From(file.Text);
    }

    /// <summary>Parses and validates one spec. Returns null when any error was reported.</summary>
    public static ModelSpec? Parse(SpecFile file, List<DiagnosticInfo> diagnostics)
    {
        var parser = new SpecParser(file);
        ModelSpec? spec = parser.Parse();
        diagnostics.AddRange(parser.diagnostics);
        return spec;
    }

    private ModelSpec? Parse()
    {
        try
        {
            root = JsonReader.Parse(text.ToString());
        }
        catch (JsonSyntaxException syntaxError)
        {
            Report(DiagnosticDescriptors.JsonSyntaxError, At(syntaxError.Offset, 1), syntaxError.Message);
            return null;
        }
        if (root.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.WrongType, At(root), "(spec)", "an object of model hyperparameters", root.Describe());
            return null;
        }

        foreach (JsonMember member in root.Members)
        {
            if (Array.IndexOf(KnownKeys, member.Key) < 0)
                Report(DiagnosticDescriptors.UnknownKey, At(member.KeyStart, member.KeyLength), member.Key, string.Join(", ", KnownKeys));
            else if (members.ContainsKey(member.Key))
                Report(DiagnosticDescriptors.DuplicateKey, At(member.KeyStart, member.KeyLength), member.Key);
            else
                members.Add(member.Key, member);
        }

        string? name = ReadString(NameKey, "the model's name, e.g. \"llama2-7b\"");
        string? architecture = ReadString(ArchitectureKey, "\"llama\"");
        if (architecture is not null && architecture != "llama")
            Report(DiagnosticDescriptors.InvalidValue, At(members[ArchitectureKey].Value), ArchitectureKey, Quote(architecture),
                "only \"llama\" is supported. Set \"architecture\": \"llama\".");

        int? embedding = ReadPositiveInt(EmbeddingLengthKey, "the model dimension, GGUF llama.embedding_length");
        int? blocks = ReadPositiveInt(BlockCountKey, "the number of transformer blocks, GGUF llama.block_count");
        int? heads = ReadPositiveInt(HeadCountKey, "the number of query heads, GGUF llama.attention.head_count");
        int? kvHeads = members.ContainsKey(HeadCountKvKey) ? ReadPositiveInt(HeadCountKvKey, "") : heads;
        int? ffn = ReadPositiveInt(FeedForwardLengthKey, "the hidden size of the feed-forward block, GGUF llama.feed_forward_length");
        int? vocab = ReadPositiveInt(VocabSizeKey, "the number of tokens in the vocabulary");
        int? context = ReadPositiveInt(ContextLengthKey, "the maximum sequence length, GGUF llama.context_length");
        float? ropeBase = ReadPositiveFloat(RopeFreqBaseKey, DefaultRopeFreqBase);
        float? epsilon = ReadPositiveFloat(RmsEpsilonKey, DefaultRmsEpsilon);
        List<string>? weightTypes = ReadWeightTypes();

        if (embedding is int e && heads is int h)
        {
            if (e % h != 0)
                Report(DiagnosticDescriptors.HeadsDoNotDivideEmbedding, At(members[HeadCountKey].Value), h, e);
            else if (e / h % 2 != 0)
                Report(DiagnosticDescriptors.OddHeadDimension, At(members[HeadCountKey].Value), e / h);
            else if (kvHeads is int kv && h % kv != 0)
                Report(DiagnosticDescriptors.KvHeadsDoNotDivideHeads, At(members.TryGetValue(HeadCountKvKey, out JsonMember m) ? m.Value : members[HeadCountKey].Value), kv, h);
            else if (kvHeads is int kvh && blocks is int b && context is int c)
            {
                long kvDimension = (long)(e / h) * kvh;
                long cacheValues = (long)b * c * kvDimension;
                if (cacheValues > int.MaxValue)
                    Report(DiagnosticDescriptors.KvCacheTooLarge, At(members[ContextLengthKey].Value), b, c, kvDimension, cacheValues, int.MaxValue);
            }
        }
        // Every buffer and matrix is indexed with int in the generated code: refuse shapes whose products overflow.
        if (embedding is int e1 && (long)e1 * e1 > int.MaxValue)
            Report(DiagnosticDescriptors.InvalidValue, At(members[EmbeddingLengthKey].Value), EmbeddingLengthKey, e1,
                $"a {e1} x {e1} attention matrix has more than {int.MaxValue} elements. Use a smaller embedding_length.");
        if (heads is int h2 && context is int c2 && (long)h2 * c2 > int.MaxValue)
            Report(DiagnosticDescriptors.InvalidValue, At(members[ContextLengthKey].Value), ContextLengthKey, c2,
                $"the attention scores of {h2} heads x {c2} positions are more than {int.MaxValue} values. Lower context_length.");
        if (ffn is int f && embedding is int e2 && (long)f * e2 > int.MaxValue)
            Report(DiagnosticDescriptors.InvalidValue, At(members[FeedForwardLengthKey].Value), FeedForwardLengthKey, f,
                $"a {f} x {e2} matrix has more than {int.MaxValue} elements. Use smaller dimensions.");
        if (vocab is int v && embedding is int e3 && (long)v * e3 > int.MaxValue)
            Report(DiagnosticDescriptors.InvalidValue, At(members[VocabSizeKey].Value), VocabSizeKey, v,
                $"a {v} x {e3} embedding table has more than {int.MaxValue} elements. Use a smaller vocabulary.");

        if (HasErrors() || name is null || embedding is null || blocks is null || heads is null || kvHeads is null || ffn is null ||
            vocab is null || context is null || ropeBase is null || epsilon is null || weightTypes is null)
            return null;

        var spec = new ModelSpec(name, embedding.Value, blocks.Value, heads.Value, kvHeads.Value, ffn.Value, vocab.Value,
            context.Value, ropeBase.Value, epsilon.Value, weightTypes.ToImmutableEquatableArray());
        CheckKernelCoverage(spec);
        return HasErrors() ? null : spec;
    }

    /// <summary>
    /// A quantized type needs whole 32-element blocks per row. Where a type cannot store a matrix the user is told
    /// (info); where no listed type can, the model could never load, so that is an error.
    /// </summary>
    private void CheckKernelCoverage(ModelSpec spec)
    {
        var plan = new ModelPlan(spec);
        SourceLocation? location = At(members[WeightTypesKey].Value);
        foreach (MatrixRole role in plan.AllMatrices())
        {
            string description = $"{role.TensorName} ({role.Rows} x {role.Columns})";
            if (plan.TypesFor(role.Columns).Count == 0)
            {
                Report(DiagnosticDescriptors.NoKernelForMatrix, location, description, role.Columns);
                continue;
            }
            foreach (string type in spec.WeightTypes)
            {
                int block = WeightTypes.BlockSize(type);
                if (role.Columns % block != 0)
                    Report(DiagnosticDescriptors.NoKernelForType, location, type, description, role.Columns, block);
            }
        }
    }

    private string? ReadString(string key, string hint)
    {
        if (!TryGetRequired(key, hint, out JsonNode node)) return null;
        if (node.Kind != JsonKind.String)
        {
            Report(DiagnosticDescriptors.WrongType, At(node), key, "a string", node.Describe());
            return null;
        }
        if (node.Text.Trim().Length == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, At(node), key, "empty", "give it a non-empty value.");
            return null;
        }
        return node.Text;
    }

    private int? ReadPositiveInt(string key, string hint)
    {
        if (!TryGetRequired(key, hint, out JsonNode node)) return null;
        if (node.Kind != JsonKind.Number)
        {
            Report(DiagnosticDescriptors.WrongType, At(node), key, "a positive integer", node.Describe());
            return null;
        }
        if (node.Number != Math.Floor(node.Number) || double.IsInfinity(node.Number))
        {
            Report(DiagnosticDescriptors.WrongType, At(node), key, "a positive integer", $"the non-integer {node.Text}");
            return null;
        }
        if (node.Number <= 0 || node.Number > int.MaxValue)
        {
            Report(DiagnosticDescriptors.InvalidValue, At(node), key, node.Text, $"it must be between 1 and {int.MaxValue}.");
            return null;
        }
        return (int)node.Number;
    }

    private float? ReadPositiveFloat(string key, double defaultValue)
    {
        if (!members.TryGetValue(key, out JsonMember member)) return (float)defaultValue;
        JsonNode node = member.Value;
        if (node.Kind != JsonKind.Number)
        {
            Report(DiagnosticDescriptors.WrongType, At(node), key, "a positive number", node.Describe());
            return null;
        }
        float value = (float)node.Number;
        if (!(value > 0) || float.IsInfinity(value))
        {
            Report(DiagnosticDescriptors.InvalidValue, At(node), key, node.Text, "it must be a positive number that fits a float.");
            return null;
        }
        return value;
    }

    private List<string>? ReadWeightTypes()
    {
        if (!TryGetRequired(WeightTypesKey, "the tensor types to emit kernels for, e.g. [\"f32\", \"f16\", \"q8_0\", \"q4_0\"]", out JsonNode node))
            return null;
        if (node.Kind != JsonKind.Array)
        {
            Report(DiagnosticDescriptors.WrongType, At(node), WeightTypesKey, "an array of type names", node.Describe());
            return null;
        }
        if (node.Items.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, At(node), WeightTypesKey, "empty",
                $"list at least one of {string.Join(", ", WeightTypes.Supported)}.");
            return null;
        }
        var types = new List<string>();
        bool ok = true;
        foreach (JsonNode item in node.Items)
        {
            if (item.Kind != JsonKind.String)
            {
                Report(DiagnosticDescriptors.WrongType, At(item), WeightTypesKey + "[]", "a type name string", item.Describe());
                ok = false;
                continue;
            }
            string type = item.Text.ToLowerInvariant();
            if (!WeightTypes.IsKnown(type))
            {
                Report(DiagnosticDescriptors.UnknownWeightType, At(item), item.Text, string.Join(", ", WeightTypes.Supported));
                ok = false;
            }
            else if (!WeightTypes.IsSupported(type))
            {
                Report(DiagnosticDescriptors.UnsupportedWeightType, At(item), item.Text, string.Join(", ", WeightTypes.Supported));
                ok = false;
            }
            else if (types.Contains(type))
            {
                Report(DiagnosticDescriptors.InvalidValue, At(item), WeightTypesKey, $"listing {Quote(type)} twice", "list each type once.");
                ok = false;
            }
            else
            {
                types.Add(type);
            }
        }
        return ok ? types : null;
    }

    private bool TryGetRequired(string key, string hint, out JsonNode node)
    {
        if (members.TryGetValue(key, out JsonMember member))
        {
            node = member.Value;
            return true;
        }
        // Point at the opening brace: the key is missing from this object.
        Report(DiagnosticDescriptors.MissingKey, At(root.Start, 1), key, hint);
        node = null!;
        return false;
    }

    private bool HasErrors()
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            if (DiagnosticDescriptors.ById(diagnostic.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error) return true;
        }
        return false;
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceLocation? location, params object[] arguments) =>
        diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    private SourceLocation At(JsonNode node) => At(node.Start, node.Length);

    private SourceLocation At(int start, int length)
    {
        start = Math.Max(0, Math.Min(start, text.Length));
        length = Math.Max(0, Math.Min(length, text.Length - start));
        var span = new TextSpan(start, length);
        return new SourceLocation(path, span, text.Lines.GetLinePositionSpan(span));
    }

    private static string Quote(string value) => "\"" + value + "\"";

    internal static string FormatFloat(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
