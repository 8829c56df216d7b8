using System.Globalization;
using System.Text;
using System.Text.Json;
using LlamaGen.Quantization;
using LlamaGen.Models;

namespace LlamaGen.Specs;

/// <summary>
/// Reads a model spec JSON (the file the generator compiles, see <c>specs/</c>) into a <see cref="ModelShape"/>: the
/// inverse of <see cref="SpecJsonWriter"/>. It applies the generator's rules (same keys, same defaults, same checks on
/// the numbers), so a spec this reader accepts is one the generator accepts, and every error names the file and the
/// JSON line as the generator's diagnostics do.
/// </summary>
public static class SpecJsonReader
{
    /// <summary>Llama 2's values, which the generator (and llama.cpp, for a GGUF file) use when the key is absent.</summary>
    public const float DefaultRopeFreqBase = (float)SpecRules.DefaultRopeFreqBase, DefaultRmsEpsilon = (float)SpecRules.DefaultRmsEpsilon;

    private const string NameKey = SpecRules.NameKey, ArchitectureKey = SpecRules.ArchitectureKey, EmbeddingLengthKey = SpecRules.EmbeddingLengthKey,
        BlockCountKey = SpecRules.BlockCountKey, HeadCountKey = SpecRules.HeadCountKey, HeadCountKvKey = SpecRules.HeadCountKvKey,
        FeedForwardLengthKey = SpecRules.FeedForwardLengthKey, VocabSizeKey = SpecRules.VocabSizeKey, ContextLengthKey = SpecRules.ContextLengthKey,
        RopeFreqBaseKey = SpecRules.RopeFreqBaseKey, RmsEpsilonKey = SpecRules.RmsEpsilonKey, WeightTypesKey = SpecRules.WeightTypesKey;

    private static readonly string[] KnownKeys = SpecRules.KnownKeys;

    /// <summary>Reads and checks the spec at <paramref name="path"/>; throws <see cref="SpecFormatException"/> for a bad spec.</summary>
    public static ModelShape ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses spec text; <paramref name="path"/> is only used in error messages.</summary>
    public static ModelShape Parse(string json, string path)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), path);
    }

    /// <summary>Parses UTF-8 spec bytes (a leading byte order mark is allowed); <paramref name="path"/> is only used in error messages.</summary>
    public static ModelShape Parse(ReadOnlySpan<byte> utf8, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        var members = ReadMembers(utf8, path);
        return new Builder(path, members, FirstLine(utf8)).Build();
    }

    /// <summary>One top-level member: its value, and the lines of its key and value for error messages.</summary>
    private sealed record Member(string Key, JsonValueKind Kind, string? Text, double Number, List<(string? Text, JsonValueKind Kind, int Line)>? Items, int KeyLine, int ValueLine);

    private static Dictionary<string, Member> ReadMembers(ReadOnlySpan<byte> utf8, string path)
    {
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (utf8.Trim(" \t\r\n"u8).IsEmpty || !reader.Read())
                throw new SpecFormatException(path, 1, "the file is empty; a spec is a JSON object of model hyperparameters");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new SpecFormatException(path, LineAt(utf8, reader.TokenStartIndex), $"a spec is a JSON object of model hyperparameters, not {Describe(reader.TokenType)}");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                int keyLine = LineAt(utf8, reader.TokenStartIndex);
                if (Array.IndexOf(KnownKeys, key) < 0)
                    throw new SpecFormatException(path, keyLine, $"unknown key \"{key}\"; known keys: {string.Join(", ", KnownKeys)}");
                if (members.ContainsKey(key))
                    throw new SpecFormatException(path, keyLine, $"the key \"{key}\" appears more than once; keep one");
                reader.Read();
                int valueLine = LineAt(utf8, reader.TokenStartIndex);
                members.Add(key, ReadValue(ref reader, utf8, key, keyLine, valueLine));
            }
            // Reading to the end makes the reader check the rest of the text (closing brace, nothing after it).
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            // System.Text.Json's line numbers are 0-based.
            throw new SpecFormatException(path, (int)(e.LineNumber ?? 0) + 1, $"invalid JSON: {FirstSentence(e.Message)}");
        }
        return members;
    }

    private static Member ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string key, int keyLine, int valueLine)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new Member(key, JsonValueKind.String, reader.GetString(), 0, null, keyLine, valueLine);
            case JsonTokenType.Number:
                // The raw text is kept so errors quote the number as written (4096.5, 1e400). A reader over one span
                // never has a value sequence.
                string text = Encoding.UTF8.GetString(reader.ValueSpan);
                double number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                return new Member(key, JsonValueKind.Number, text, number, null, keyLine, valueLine);
            case JsonTokenType.StartArray:
                var items = new List<(string?, JsonValueKind, int)>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    int line = LineAt(utf8, reader.TokenStartIndex);
                    if (reader.TokenType == JsonTokenType.String) items.Add((reader.GetString(), JsonValueKind.String, line));
                    else
                    {
                        items.Add((null, Kind(reader.TokenType), line));
                        if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject) reader.Skip();
                    }
                }
                return new Member(key, JsonValueKind.Array, null, 0, items, keyLine, valueLine);
            default:
                var kind = Kind(reader.TokenType);
                if (reader.TokenType == JsonTokenType.StartObject) reader.Skip();
                return new Member(key, kind, null, 0, null, keyLine, valueLine);
        }
    }

    private sealed class Builder(string path, Dictionary<string, Member> members, int firstLine)
    {
        public ModelShape Build()
        {
            string name = RequiredString(NameKey);
            string architecture = RequiredString(ArchitectureKey);
            if (architecture != SpecRules.Architecture)
                throw Error(members[ArchitectureKey].ValueLine, $"\"{ArchitectureKey}\" is \"{architecture}\"; only \"{SpecRules.Architecture}\" is supported");
            int embedding = PositiveInt(EmbeddingLengthKey);
            int blocks = PositiveInt(BlockCountKey);
            int heads = PositiveInt(HeadCountKey);
            int kvHeads = members.ContainsKey(HeadCountKvKey) ? PositiveInt(HeadCountKvKey) : heads;
            int headDimension = members.ContainsKey(SpecRules.HeadDimensionKey) ? PositiveInt(SpecRules.HeadDimensionKey) : 0;
            int feedForward = PositiveInt(FeedForwardLengthKey);
            int vocab = PositiveInt(VocabSizeKey);
            int context = PositiveInt(ContextLengthKey);
            float ropeBase = PositiveFloat(RopeFreqBaseKey, DefaultRopeFreqBase);
            float epsilon = PositiveFloat(RmsEpsilonKey, DefaultRmsEpsilon);
            var weightTypes = WeightTypes();

            foreach (SpecRules.Violation violation in SpecRules.Check(embedding, blocks, heads, kvHeads, feedForward, vocab, context, headDimension))
            {
                // A KV head count left out defaults to the head count: point at the head count then.
                Member at = members.TryGetValue(violation.Key, out var member) ? member : members[HeadCountKey];
                throw Error(at.ValueLine, violation.Message);
            }

            var shape = new ModelShape(name, embedding, blocks, heads, kvHeads, feedForward, vocab, context, ropeBase, epsilon, weightTypes);
            return headDimension == 0 ? shape : shape with { HeadDimension = headDimension };
        }

        private Member Required(string key) =>
            members.TryGetValue(key, out var member)
                ? member
                : throw Error(firstLine, $"the required key \"{key}\" is missing{(SpecRules.Hint(key).Length > 0 ? $" ({SpecRules.Hint(key)})" : "")}");

        private string RequiredString(string key)
        {
            var member = Required(key);
            if (member.Kind != JsonValueKind.String) throw Error(member.ValueLine, $"\"{key}\" must be a string, not {Describe(member.Kind)}");
            if (member.Text!.Trim().Length == 0) throw Error(member.ValueLine, $"\"{key}\" is empty");
            return member.Text;
        }

        private int PositiveInt(string key)
        {
            var member = Required(key);
            if (member.Kind != JsonValueKind.Number) throw Error(member.ValueLine, $"\"{key}\" must be a positive integer, not {Describe(member.Kind)}");
            if (member.Number != Math.Floor(member.Number) || double.IsInfinity(member.Number))
                throw Error(member.ValueLine, $"\"{key}\" must be a positive integer, not {member.Text}");
            if (member.Number is <= 0 or > int.MaxValue)
                throw Error(member.ValueLine, $"\"{key}\" is {member.Text}; it must be between 1 and {int.MaxValue}");
            return (int)member.Number;
        }

        private float PositiveFloat(string key, float defaultValue)
        {
            if (!members.TryGetValue(key, out var member)) return defaultValue;
            if (member.Kind != JsonValueKind.Number) throw Error(member.ValueLine, $"\"{key}\" must be a positive number, not {Describe(member.Kind)}");
            float value = (float)member.Number;
            if (!(value > 0) || float.IsInfinity(value))
                throw Error(member.ValueLine, $"\"{key}\" is {member.Text}; it must be a positive number that fits a float");
            return value;
        }

        private GgmlType[] WeightTypes()
        {
            var member = Required(WeightTypesKey);
            if (member.Kind != JsonValueKind.Array)
                throw Error(member.ValueLine, $"\"{WeightTypesKey}\" must be an array of type names, not {Describe(member.Kind)}");
            if (member.Items!.Count == 0) throw Error(member.ValueLine, $"\"{WeightTypesKey}\" is empty; list at least one type, e.g. \"q4_0\"");
            var types = new List<GgmlType>();
            foreach (var (text, kind, line) in member.Items)
            {
                if (kind != JsonValueKind.String) throw Error(line, $"\"{WeightTypesKey}\" items must be type name strings, not {Describe(kind)}");
                if (!GgmlTypeInfo.TryParse(text!, out var type) || !GgmlTypeInfo.IsKnown(type))
                    throw Error(line, $"\"{text}\" in \"{WeightTypesKey}\" is not a ggml type name (f32, f16, q8_0, q4_0, ...)");
                if (types.Contains(type)) throw Error(line, $"\"{WeightTypesKey}\" lists \"{GgmlTypeInfo.Name(type)}\" twice");
                types.Add(type);
            }
            return [.. types];
        }

        private SpecFormatException Error(int line, string problem) => new(path, line, problem);
    }

    /// <summary>The line of the opening brace: where a missing key belongs.</summary>
    private static int FirstLine(ReadOnlySpan<byte> utf8)
    {
        int brace = utf8.IndexOf((byte)'{');
        return brace < 0 ? 1 : LineAt(utf8, brace);
    }

    private static int LineAt(ReadOnlySpan<byte> utf8, long index) =>
        utf8[..(int)Math.Min(index, utf8.Length)].Count((byte)'\n') + 1;

    private static JsonValueKind Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    private static string Describe(JsonTokenType token) => Describe(Kind(token));

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>System.Text.Json's messages end with "LineNumber: n | BytePositionInLine: m."; the line is reported separately.</summary>
    private static string FirstSentence(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at > 0 ? message[..at] : message).TrimEnd();
    }
}
