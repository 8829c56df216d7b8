namespace LlamaGen.Generator.Tests;

/// <summary>
/// Builds spec JSON one key per line from stories260K's published hyperparameters (the fixture README), with
/// overrides, so a test can say which line a diagnostic must point at.
/// </summary>
internal static class SpecText
{
    public static readonly (string Key, string Value)[] Stories260K =
    {
        ("name", "\"stories260k\""),
        ("architecture", "\"llama\""),
        ("embedding_length", "64"),
        ("block_count", "5"),
        ("attention.head_count", "8"),
        ("attention.head_count_kv", "4"),
        ("feed_forward_length", "172"),
        ("vocab_size", "512"),
        ("context_length", "512"),
        ("rope.freq_base", "10000.0"),
        ("attention.layer_norm_rms_epsilon", "1e-5"),
        ("weight_types", "[\"f32\", \"f16\", \"q8_0\", \"q4_0\"]"),
    };

    /// <summary>The spec with <paramref name="overrides"/> replacing (value null: removing) or appending keys.</summary>
    public static string With(params (string Key, string? Value)[] overrides)
    {
        var entries = Stories260K.Select(e => (e.Key, Value: (string?)e.Value)).ToList();
        foreach (var (key, value) in overrides)
        {
            int index = entries.FindIndex(e => e.Key == key);
            if (index >= 0) entries[index] = (key, value);
            else entries.Add((key, value));
        }
        var lines = entries.Where(e => e.Value is not null).Select(e => $"  \"{e.Key}\": {e.Value}").ToList();
        return "{\n" + string.Join(",\n", lines) + "\n}\n";
    }

    /// <summary>Zero-based line of the first occurrence of <paramref name="fragment"/>.</summary>
    public static int LineOf(string text, string fragment)
    {
        int offset = text.IndexOf(fragment, StringComparison.Ordinal);
        if (offset < 0) throw new ArgumentException($"'{fragment}' is not in the text.");
        return text.Take(offset).Count(c => c == '\n');
    }

    /// <summary>Zero-based column of the first occurrence of <paramref name="fragment"/>.</summary>
    public static int ColumnOf(string text, string fragment)
    {
        int offset = text.IndexOf(fragment, StringComparison.Ordinal);
        int lineStart = text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
        return offset - lineStart;
    }
}
