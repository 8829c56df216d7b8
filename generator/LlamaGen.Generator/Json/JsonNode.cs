using System.Collections.Generic;

namespace LlamaGen.Generator.Json;

/// <summary>
/// A parsed JSON value with the character range it came from, so every diagnostic can point at the exact
/// value in the spec file.
/// </summary>
internal sealed class JsonNode
{
    public JsonNode(JsonKind kind, int start, int length)
    {
        Kind = kind;
        Start = start;
        Length = length;
    }

    public JsonKind Kind { get; }
    public int Start { get; }
    public int Length { get; internal set; }

    /// <summary>The decoded string for <see cref="JsonKind.String"/>; the source text for <see cref="JsonKind.Number"/>.</summary>
    public string Text { get; internal set; } = "";

    public double Number { get; internal set; }

    public List<JsonMember> Members { get; } = new();

    public List<JsonNode> Items { get; } = new();

    /// <summary>How the kind reads in a message ("a string", "an array", ...).</summary>
    public string Describe() => Kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.True or JsonKind.False => "a boolean",
        _ => "null",
    };
}
