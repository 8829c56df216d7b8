using System.Text.Json;

namespace LlamaGen.Server;

/// <summary>
/// Typed reads of request fields by hand (no reflection, and every error names the field's JSON path, such as
/// <c>messages[1].content</c>). A field that is absent or null reads as null: OpenAI's clients send nulls for unset options.
/// </summary>
internal static class RequestFields
{
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string Path(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static double? Number(JsonElement obj, string name, string parent = "")
    {
        if (Get(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
            throw ApiException.Invalid(Path(parent, name), $"must be a number, got {Describe(value)}.");
        return number;
    }

    public static long? Integer(JsonElement obj, string name, string parent = "")
    {
        if (Get(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number) throw ApiException.Invalid(Path(parent, name), $"must be an integer, got {Describe(value)}.");
        if (value.TryGetInt64(out long integer)) return integer;
        // 3.0 is an integer too (JavaScript clients send numbers as doubles).
        if (value.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        throw ApiException.Invalid(Path(parent, name), $"must be an integer, got {value.GetRawText()}.");
    }

    public static int? Int32(JsonElement obj, string name, string parent = "")
    {
        if (Integer(obj, name, parent) is not long value) return null;
        if (value is < int.MinValue or > int.MaxValue) throw ApiException.Invalid(Path(parent, name), $"{value} is out of range.");
        return (int)value;
    }

    public static bool? Boolean(JsonElement obj, string name, string parent = "")
    {
        if (Get(obj, name) is not { } value) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.Invalid(Path(parent, name), $"must be true or false, got {Describe(value)}."),
        };
    }

    public static string? String(JsonElement obj, string name, string parent = "")
    {
        if (Get(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String) throw ApiException.Invalid(Path(parent, name), $"must be a string, got {Describe(value)}.");
        return value.GetString();
    }

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c>).</summary>
    public static List<string>? StringOrList(JsonElement obj, string name, string parent = "")
    {
        if (Get(obj, name) is not { } value) return null;
        string path = Path(parent, name);
        if (value.ValueKind == JsonValueKind.String) return [value.GetString()!];
        if (value.ValueKind != JsonValueKind.Array) throw ApiException.Invalid(path, $"must be a string or an array of strings, got {Describe(value)}.");
        var list = new List<string>();
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiException.Invalid($"{path}[{index}]", $"must be a string, got {Describe(item)}.");
            list.Add(item.GetString()!);
            index++;
        }
        return list;
    }

    /// <summary>An array of token ids (each an integer).</summary>
    public static int[] TokenArray(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array) throw ApiException.Invalid(path, $"must be an array of token ids, got {Describe(value)}.");
        var tokens = new int[value.GetArrayLength()];
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id))
                throw ApiException.Invalid($"{path}[{index}]", $"must be an integer token id, got {Describe(item)}.");
            tokens[index++] = id;
        }
        return tokens;
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        _ => Describe(value.ValueKind),
    };

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
