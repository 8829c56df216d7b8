using System.Text.Json;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>samples/LlamaGen.Rag/questions.json: each question with the file and a phrase of the passage that answers it.</summary>
public sealed record BundledQuestion(string Question, string File, string Anchor)
{
    public static IReadOnlyList<BundledQuestion> Load()
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(Fixtures.Questions));
        return json.RootElement.GetProperty("questions").EnumerateArray()
            .Select(q => new BundledQuestion(q.GetProperty("question").GetString()!, q.GetProperty("file").GetString()!, q.GetProperty("anchor").GetString()!))
            .ToList();
    }

    /// <summary>A passage of <paramref name="file"/> (a store key ending in the corpus-relative path) that contains the anchor answers the question.</summary>
    public bool IsAnsweredBy(string file, string text) =>
        file.EndsWith("corpus/" + File, StringComparison.Ordinal) && Normalize(text).Contains(Normalize(Anchor), StringComparison.Ordinal);

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
