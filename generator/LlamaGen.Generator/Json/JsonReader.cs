using System.Globalization;
using System.Text;

namespace LlamaGen.Generator.Json;

/// <summary>
/// A small strict JSON (RFC 8259) reader that keeps the source range of every value. The generator cannot
/// depend on System.Text.Json (it runs inside the compiler on netstandard2.0), and the diagnostics need
/// positions anyway. Comments and trailing commas are rejected, as in strict JSON.
/// </summary>
internal sealed class JsonReader
{
    // Deep nesting is never meaningful in a spec; the limit keeps garbage input from exhausting the stack.
    private const int MaxDepth = 64;

    private readonly string text;
    private int position;

    private JsonReader(string text) => this.text = text;

    /// <summary>Parses one JSON document. Throws <see cref="JsonSyntaxException"/> with the offset of the problem.</summary>
    public static JsonNode Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipWhitespace();
        // A UTF-8 byte-order mark decoded as U+FEFF is harmless at the very start.
        if (reader.position < text.Length && text[reader.position] == '\uFEFF')
        {
            reader.position++;
            reader.SkipWhitespace();
        }
        JsonNode root = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader.position < text.Length)
            throw new JsonSyntaxException($"Unexpected '{text[reader.position]}' after the end of the JSON document.", reader.position);
        return root;
    }

    private JsonNode ReadValue(int depth)
    {
        if (depth > MaxDepth) throw new JsonSyntaxException($"JSON nested deeper than {MaxDepth} levels.", position);
        if (position >= text.Length) throw new JsonSyntaxException("Unexpected end of file; expected a value.", position);
        char c = text[position];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"': return ReadString();
            case 't': return ReadLiteral("true", JsonKind.True);
            case 'f': return ReadLiteral("false", JsonKind.False);
            case 'n': return ReadLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                throw new JsonSyntaxException($"Unexpected '{c}'; expected a value (object, array, string, number, true, false or null).", position);
        }
    }

    private JsonNode ReadObject(int depth)
    {
        var node = new JsonNode(JsonKind.Object, position, 0);
        position++; // '{'
        SkipWhitespace();
        if (Peek() == '}')
        {
            position++;
            node.Length = position - node.Start;
            return node;
        }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw new JsonSyntaxException("Expected a quoted property name.", position);
            int keyStart = position;
            JsonNode key = ReadString();
            SkipWhitespace();
            if (Peek() != ':') throw new JsonSyntaxException($"Expected ':' after the property name \"{key.Text}\".", position);
            position++;
            SkipWhitespace();
            JsonNode value = ReadValue(depth + 1);
            node.Members.Add(new JsonMember(key.Text, keyStart, key.Length, value));
            SkipWhitespace();
            char next = Peek();
            if (next == ',') { position++; continue; }
            if (next == '}') { position++; break; }
            throw new JsonSyntaxException("Expected ',' or '}' after a property value.", position);
        }
        node.Length = position - node.Start;
        return node;
    }

    private JsonNode ReadArray(int depth)
    {
        var node = new JsonNode(JsonKind.Array, position, 0);
        position++; // '['
        SkipWhitespace();
        if (Peek() == ']')
        {
            position++;
            node.Length = position - node.Start;
            return node;
        }
        while (true)
        {
            SkipWhitespace();
            node.Items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            char next = Peek();
            if (next == ',') { position++; continue; }
            if (next == ']') { position++; break; }
            throw new JsonSyntaxException("Expected ',' or ']' after an array element.", position);
        }
        node.Length = position - node.Start;
        return node;
    }

    private JsonNode ReadString()
    {
        int start = position;
        position++; // opening quote
        var builder = new StringBuilder();
        while (true)
        {
            if (position >= text.Length) throw new JsonSyntaxException("Unterminated string.", start);
            char c = text[position];
            if (c == '"') { position++; break; }
            if (c < ' ') throw new JsonSyntaxException("Control character in a string; escape it.", position);
            if (c != '\\')
            {
                builder.Append(c);
                position++;
                continue;
            }
            if (position + 1 >= text.Length) throw new JsonSyntaxException("Unterminated escape sequence.", position);
            char escape = text[position + 1];
            position += 2;
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (position + 4 > text.Length ||
                        !int.TryParse(text.Substring(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        throw new JsonSyntaxException("Invalid \\u escape; expected four hexadecimal digits.", position - 2);
                    builder.Append((char)code);
                    position += 4;
                    break;
                default:
                    throw new JsonSyntaxException($"Invalid escape sequence '\\{escape}'.", position - 2);
            }
        }
        return new JsonNode(JsonKind.String, start, position - start) { Text = builder.ToString() };
    }

    private JsonNode ReadNumber()
    {
        int start = position;
        if (Peek() == '-') position++;
        if (Peek() == '0') position++;
        else if (IsDigit(Peek())) SkipDigits();
        else throw new JsonSyntaxException("Invalid number; expected a digit.", position);
        if (Peek() == '.')
        {
            position++;
            if (!IsDigit(Peek())) throw new JsonSyntaxException("Invalid number; expected a digit after '.'.", position);
            SkipDigits();
        }
        if (Peek() == 'e' || Peek() == 'E')
        {
            position++;
            if (Peek() == '+' || Peek() == '-') position++;
            if (!IsDigit(Peek())) throw new JsonSyntaxException("Invalid number; expected a digit in the exponent.", position);
            SkipDigits();
        }
        string literal = text.Substring(start, position - start);
        double value = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new JsonNode(JsonKind.Number, start, position - start) { Text = literal, Number = value };
    }

    private JsonNode ReadLiteral(string literal, JsonKind kind)
    {
        if (string.CompareOrdinal(text, position, literal, 0, literal.Length) != 0)
            throw new JsonSyntaxException($"Unexpected '{text[position]}'; expected a value.", position);
        var node = new JsonNode(kind, position, literal.Length);
        position += literal.Length;
        return node;
    }

    private void SkipDigits()
    {
        while (IsDigit(Peek())) position++;
    }

    private void SkipWhitespace()
    {
        while (position < text.Length)
        {
            char c = text[position];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            position++;
        }
    }

    private char Peek() => position < text.Length ? text[position] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';
}
