using System;
using System.Collections.Generic;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Json;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Shared;
using Microsoft.CodeAnalysis.Text;

namespace LlamaGen.Generator.Parser;

/// <summary>
/// Turns spec JSON into a <see cref="ModelSpec"/>, or into diagnostics that point at the offending JSON.
/// Keys follow the GGUF <c>llama.*</c> metadata names so a spec can be checked against a file.
/// </summary>
internal sealed class SpecParser
{
    private static readonly string[] KnownKeys = SpecRules.KnownKeys;

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

        string? name = ReadString(SpecRules.NameKey);
        string? architecture = ReadString(SpecRules.ArchitectureKey);
        if (architecture is not null && architecture != SpecRules.Architecture)
            Report(DiagnosticDescriptors.InvalidValue, At(members[SpecRules.ArchitectureKey].Value), SpecRules.ArchitectureKey, Quote(architecture),
                "only \"llama\" is supported. Set \"architecture\": \"llama\".");

        int? embedding = ReadPositiveInt(SpecRules.EmbeddingLengthKey);
        int? blocks = ReadPositiveInt(SpecRules.BlockCountKey);
        int? heads = ReadPositiveInt(SpecRules.HeadCountKey);
        int? kvHeads = members.ContainsKey(SpecRules.HeadCountKvKey) ? ReadPositiveInt(SpecRules.HeadCountKvKey) : heads;
        int? headDimension = members.ContainsKey(SpecRules.HeadDimensionKey) ? ReadPositiveInt(SpecRules.HeadDimensionKey) : 0;
        int? ffn = ReadPositiveInt(SpecRules.FeedForwardLengthKey);
        int? vocab = ReadPositiveInt(SpecRules.VocabSizeKey);
        int? context = ReadPositiveInt(SpecRules.ContextLengthKey);
        float? ropeBase = ReadPositiveFloat(SpecRules.RopeFreqBaseKey, SpecRules.DefaultRopeFreqBase);
        float? epsilon = ReadPositiveFloat(SpecRules.RmsEpsilonKey, SpecRules.DefaultRmsEpsilon);
        List<GgmlType>? weightTypes = ReadWeightTypes();

        if (embedding is int e && blocks is int b && heads is int h && kvHeads is int kv && ffn is int f && vocab is int v && context is int c &&
            headDimension is int d)
        {
            foreach (SpecRules.Violation violation in SpecRules.Check(e, b, h, kv, f, v, c, d))
            {
                // A KV head count left out defaults to the head count: point at the head count then.
                JsonNode at = members.TryGetValue(violation.Key, out JsonMember member) ? member.Value : members[SpecRules.HeadCountKey].Value;
                Report(Descriptor(violation.Kind), At(at), violation.Arguments);
            }
        }

        if (HasErrors() || name is null || embedding is null || blocks is null || heads is null || kvHeads is null || headDimension is null || ffn is null ||
            vocab is null || context is null || ropeBase is null || epsilon is null || weightTypes is null)
            return null;

        var spec = new ModelSpec(name, embedding.Value, blocks.Value, heads.Value, kvHeads.Value, ffn.Value, vocab.Value,
            context.Value, ropeBase.Value, epsilon.Value, weightTypes.ToImmutableEquatableArray(),
            headDimension.Value == 0 ? embedding.Value / heads.Value : headDimension.Value);
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
        SourceLocation? location = At(members[SpecRules.WeightTypesKey].Value);
        foreach (MatrixRole role in plan.AllMatrices())
        {
            string description = $"{role.TensorName} ({role.Rows} x {role.Columns})";
            if (plan.TypesFor(role.Columns).Count == 0)
            {
                Report(DiagnosticDescriptors.NoKernelForMatrix, location, description, role.Columns);
                continue;
            }
            foreach (GgmlType type in spec.WeightTypes)
            {
                int block = GgmlBlocks.Of(type).Elements;
                if (role.Columns % block != 0)
                    Report(DiagnosticDescriptors.NoKernelForType, location, GgmlBlocks.Name(type), description, role.Columns, block);
            }
        }
    }

    private string? ReadString(string key)
    {
        if (!TryGetRequired(key, out JsonNode node)) return null;
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

    private int? ReadPositiveInt(string key)
    {
        if (!TryGetRequired(key, out JsonNode node)) return null;
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

    private List<GgmlType>? ReadWeightTypes()
    {
        if (!TryGetRequired(SpecRules.WeightTypesKey, out JsonNode node))
            return null;
        if (node.Kind != JsonKind.Array)
        {
            Report(DiagnosticDescriptors.WrongType, At(node), SpecRules.WeightTypesKey, "an array of type names", node.Describe());
            return null;
        }
        if (node.Items.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, At(node), SpecRules.WeightTypesKey, "empty",
                $"list at least one of {SupportedNames}.");
            return null;
        }
        var types = new List<GgmlType>();
        bool ok = true;
        foreach (JsonNode item in node.Items)
        {
            if (item.Kind != JsonKind.String)
            {
                Report(DiagnosticDescriptors.WrongType, At(item), SpecRules.WeightTypesKey + "[]", "a type name string", item.Describe());
                ok = false;
                continue;
            }
            if (!GgmlBlocks.TryParse(item.Text, out GgmlType type))
            {
                Report(DiagnosticDescriptors.UnknownWeightType, At(item), item.Text, SupportedNames);
                ok = false;
            }
            else if (!GgmlBlocks.HasKernels(type))
            {
                Report(DiagnosticDescriptors.UnsupportedWeightType, At(item), item.Text, SupportedNames);
                ok = false;
            }
            else if (types.Contains(type))
            {
                Report(DiagnosticDescriptors.InvalidValue, At(item), SpecRules.WeightTypesKey, $"listing {Quote(GgmlBlocks.Name(type))} twice", "list each type once.");
                ok = false;
            }
            else
            {
                types.Add(type);
            }
        }
        return ok ? types : null;
    }

    private bool TryGetRequired(string key, out JsonNode node)
    {
        if (members.TryGetValue(key, out JsonMember member))
        {
            node = member.Value;
            return true;
        }
        // Point at the opening brace: the key is missing from this object.
        Report(DiagnosticDescriptors.MissingKey, At(root.Start, 1), key, SpecRules.Hint(key));
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

    private static Microsoft.CodeAnalysis.DiagnosticDescriptor Descriptor(SpecRules.Problem problem) => problem switch
    {
        SpecRules.Problem.HeadsDoNotDivideEmbedding => DiagnosticDescriptors.HeadsDoNotDivideEmbedding,
        SpecRules.Problem.OddHeadDimension => DiagnosticDescriptors.OddHeadDimension,
        SpecRules.Problem.KvHeadsDoNotDivideHeads => DiagnosticDescriptors.KvHeadsDoNotDivideHeads,
        SpecRules.Problem.KvCacheTooLarge => DiagnosticDescriptors.KvCacheTooLarge,
        _ => DiagnosticDescriptors.InvalidValue,
    };

    /// <summary>The types with kernels, as a spec names them.</summary>
    private static string SupportedNames => string.Join(", ", System.Array.ConvertAll(GgmlBlocks.WithKernels, GgmlBlocks.Name));

    private static string Quote(string value) => "\"" + value + "\"";

    internal static string FormatFloat(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
