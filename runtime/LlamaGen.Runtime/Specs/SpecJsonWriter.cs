using System.Globalization;
using System.Text;
using LlamaGen.Quantization;
using LlamaGen.Models;

namespace LlamaGen.Specs;

/// <summary>
/// Writes a <see cref="ModelShape"/> as a spec JSON (the format the generator reads; field names follow the GGUF
/// <c>llama.*</c> keys), e.g. for <c>llamagen spec from-gguf</c>.
/// </summary>
public static class SpecJsonWriter
{
    /// <summary>
    /// The spec text. <c>weight_types</c> lists the shape's types plus <c>f32</c> (norm weights are always f32),
    /// as lower-case ggml names.
    /// </summary>
    public static string Write(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var types = shape.WeightTypes.Contains(GgmlType.F32) ? shape.WeightTypes : [.. shape.WeightTypes, GgmlType.F32];
        var json = new StringBuilder();
        json.Append("{\n");
        Field(json, SpecRules.NameKey, Quote(SafeName(shape.Name)));
        Field(json, SpecRules.ArchitectureKey, Quote(SpecRules.Architecture));
        Field(json, SpecRules.EmbeddingLengthKey, Int(shape.EmbeddingLength));
        Field(json, SpecRules.BlockCountKey, Int(shape.BlockCount));
        Field(json, SpecRules.HeadCountKey, Int(shape.HeadCount));
        Field(json, SpecRules.HeadCountKvKey, Int(shape.HeadCountKv));
        if (StatedHeadDimension(shape) != 0) Field(json, SpecRules.HeadDimensionKey, Int(shape.HeadDimension));
        Field(json, SpecRules.FeedForwardLengthKey, Int(shape.FeedForwardLength));
        Field(json, SpecRules.VocabSizeKey, Int(shape.VocabSize));
        Field(json, SpecRules.ContextLengthKey, Int(shape.ContextLength));
        Field(json, SpecRules.RopeFreqBaseKey, Number(shape.RopeFreqBase));
        Field(json, SpecRules.RmsEpsilonKey, Number(shape.RmsEpsilon));
        json.Append("  \"").Append(SpecRules.WeightTypesKey).Append("\": [")
            .Append(string.Join(", ", types.Select(t => Quote(GgmlTypeInfo.Name(t)))))
            .Append("]\n}\n");
        return json.ToString();
    }

    /// <summary>
    /// The context length to compile for <paramref name="shape"/>: its own, or, when that many positions would make the
    /// KV cache or the attention scores overflow the generated code's int indexing (Llama 3.1 8B's 131072: 4.3e9 cached
    /// values), the largest half, quarter, ... of it that fits. A spec may hold fewer positions than its file was trained
    /// for (<see cref="Models.ModelCatalog"/> matches it), as llama.cpp runs with <c>n_ctx</c> below <c>n_ctx_train</c>.
    /// </summary>
    public static int CompilableContextLength(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int context = shape.ContextLength;
        while (context > 1 && SpecRules.Check(shape.EmbeddingLength, shape.BlockCount, shape.HeadCount, shape.HeadCountKv,
                   shape.FeedForwardLength, shape.VocabSize, context, StatedHeadDimension(shape)).Any(v => v.Key == SpecRules.ContextLengthKey))
            context /= 2;
        return context;
    }

    /// <summary>The head size as a spec states it: 0 (left out) when it is embedding_length / head_count.</summary>
    internal static int StatedHeadDimension(ModelShape shape) =>
        shape.HasStatedHeadDimension ? shape.HeadDimension : 0;

    /// <summary>A spec/file name from a model name: letters, digits, '.', '-' and '_' kept, the rest turned into '-', lower case.</summary>
    public static string SafeName(string name)
    {
        var safe = new StringBuilder();
        foreach (char c in name.Trim().ToLowerInvariant())
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-');
        string result = safe.ToString().Trim('-', '.');
        return result.Length == 0 ? "model" : result;
    }

    /// <summary>A C# class name for a spec name: <c>llama2-13b</c> → <c>Llama2_13b</c>.</summary>
    public static string TypeName(string specName)
    {
        var name = new StringBuilder();
        foreach (char c in specName) name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) name.Insert(0, "Model_");
        name[0] = char.ToUpperInvariant(name[0]);
        return name.ToString();
    }

    private static void Field(StringBuilder json, string key, string value) =>
        json.Append("  ").Append(Quote(key)).Append(": ").Append(value).Append(",\n");

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shortest text that reads back as the same float32, always with a fraction or exponent (10000.0, 1e-05).</summary>
    private static string Number(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E');
        if (e < 0) return text.Contains('.') ? text : text + ".0";
        // "1E-05" -> "1e-5", "1E+20" -> "1e20"
        string mantissa = text[..e], exponent = text[(e + 1)..];
        bool negative = exponent.StartsWith('-');
        exponent = exponent.TrimStart('+', '-').TrimStart('0');
        return mantissa + "e" + (negative ? "-" : "") + (exponent.Length == 0 ? "0" : exponent);
    }

    private static string Quote(string s)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case < ' ': quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
