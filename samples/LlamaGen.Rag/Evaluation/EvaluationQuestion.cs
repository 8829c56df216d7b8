using System.Text.Json;

namespace LlamaGen.Rag.Evaluation;

/// <summary>
/// A question with the passage that answers it, as in the sample's <c>questions.json</c>: a retrieved passage answers
/// the question when it comes from <see cref="File"/> and contains <see cref="Anchor"/> (whitespace-insensitive).
/// </summary>
/// <param name="File">The document, relative to the corpus folder ("txt/beekeeping.txt").</param>
/// <param name="Anchor">A phrase of the answering passage.</param>
public sealed record EvaluationQuestion(string Question, string File, string Anchor)
{
    /// <summary>Reads <c>{"questions": [{"question", "file", "anchor"}, ...]}</c>.</summary>
    public static IReadOnlyList<EvaluationQuestion> Load(string path)
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return json.RootElement.GetProperty("questions").EnumerateArray()
            .Select(q => new EvaluationQuestion(q.GetProperty("question").GetString()!, q.GetProperty("file").GetString()!, q.GetProperty("anchor").GetString()!))
            .ToList();
    }

    /// <summary>Whether a passage of <paramref name="file"/> (a store key: a path ending in the corpus folder's name and <see cref="File"/>) with <paramref name="text"/> answers the question.</summary>
    public bool IsAnsweredBy(string file, string text, string corpusFolderName = "corpus") =>
        file.EndsWith(corpusFolderName + "/" + File, StringComparison.Ordinal) && Flat(text).Contains(Flat(Anchor), StringComparison.Ordinal);

    private static string Flat(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
