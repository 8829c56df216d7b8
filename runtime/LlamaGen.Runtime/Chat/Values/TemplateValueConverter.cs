using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Values;

/// <summary>
/// Turns the data a caller passes (System.Text.Json nodes and elements, and plain .NET strings, booleans, numbers, lists
/// and dictionaries) into template values, copying it so the template sees only data. JSON numbers keep Python's int/float
/// distinction from their text (<c>1</c> is an int, <c>1.0</c> a float, as <c>json.loads</c> gives them); objects keep
/// their key order (which <c>tojson</c> preserves).
/// </summary>
internal static class TemplateValueConverter
{
    // Deeper data than this is refused rather than risking the stack (real tool schemas nest a handful of levels).
    private const int MaxDepth = 512;

    public static object? Convert(object? value) => Convert(value, 0);

    private static object? Convert(object? value, int depth)
    {
        if (depth > MaxDepth)
            throw new ArgumentException($"the data passed to the template nests deeper than {MaxDepth} levels (or contains itself)");
        switch (value)
        {
            case null: return null;
            case string s: return s;
            case bool b: return b;
            case int or long or short or sbyte or byte or ushort or uint: return System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u: return u <= long.MaxValue ? (object)(long)u : new BigInteger(u);
            case BigInteger big: return PythonNormalize(big);
            case double d: return d;
            case float f: return (double)f;
            case decimal m: return (double)m;
            case char c: return c.ToString();
            case JsonElement element: return FromElement(element, depth);
            case JsonNode node: return FromNode(node, depth);
            case ChatMessage message: return Convert(message.ToDictionary(), depth);
            case IReadOnlyDictionary<string, object?> readOnly:
                {
                    var dict = new PyDict(readOnly.Count);
                    foreach (var entry in readOnly)
                        dict.Set(entry.Key, Convert(entry.Value, depth + 1));
                    return dict;
                }
            case IDictionary dictionary:
                {
                    var dict = new PyDict(dictionary.Count);
                    foreach (DictionaryEntry entry in dictionary)
                        dict.Set(Convert(entry.Key, depth + 1), Convert(entry.Value, depth + 1));
                    return dict;
                }
            case IEnumerable sequence:
                {
                    var list = new List<object?>();
                    foreach (object? item in sequence)
                        list.Add(Convert(item, depth + 1));
                    return list;
                }
        }
        throw new ArgumentException(
            $"a value of type {value.GetType().Name} cannot be passed to a chat template; pass strings, booleans, numbers, lists, dictionaries or JSON");
    }

    private static object PythonNormalize(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    private static object? FromNode(JsonNode node, int depth)
    {
        switch (node)
        {
            case JsonObject obj:
                {
                    var dict = new PyDict(obj.Count);
                    foreach (var entry in obj)
                        dict.Set(entry.Key, entry.Value is null ? null : FromNode(entry.Value, depth + 1));
                    return dict;
                }
            case JsonArray array:
                {
                    var list = new List<object?>(array.Count);
                    foreach (JsonNode? item in array)
                        list.Add(item is null ? null : FromNode(item, depth + 1));
                    return list;
                }
            case JsonValue value:
                if (value.TryGetValue(out JsonElement element))
                    return FromElement(element, depth);
                return Convert(value.GetValue<object>(), depth);
        }
        throw new ArgumentException($"unsupported JSON node {node.GetType().Name}");
    }

    private static object? FromElement(JsonElement element, int depth)
    {
        if (depth > MaxDepth)
            throw new ArgumentException($"the data passed to the template nests deeper than {MaxDepth} levels");
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                {
                    var dict = new PyDict();
                    foreach (JsonProperty property in element.EnumerateObject())
                        dict.Set(property.Name, FromElement(property.Value, depth + 1));
                    return dict;
                }
            case JsonValueKind.Array:
                {
                    var list = new List<object?>(element.GetArrayLength());
                    foreach (JsonElement item in element.EnumerateArray())
                        list.Add(FromElement(item, depth + 1));
                    return list;
                }
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null or JsonValueKind.Undefined: return null;
            case JsonValueKind.Number:
                {
                    string text = element.GetRawText();
                    if (text.AsSpan().IndexOfAny(".eE") >= 0)
                        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    return PythonNormalize(BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                }
        }
        throw new ArgumentException($"unsupported JSON value kind {element.ValueKind}");
    }
}
