using System.Text;

namespace LlamaGen.Rag.Retrieval;

/// <summary>The words of a question worth matching in the full-text index: letters and digits, lower-case, without English function words.</summary>
public static class KeywordExtractor
{
    // Function words carry no topic; BM25's IDF would mostly discount them, but with OR semantics they still pull in noise.
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for", "from",
        "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our",
        "should", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was",
        "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your",
        "about", "after", "before", "any", "all", "some", "much", "many", "most", "more", "get", "got", "use", "used",
    };

    public static IReadOnlyList<string> Keywords(string question)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (char c in question.Normalize(NormalizationForm.FormC) + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (c == '\'' && current.Length > 0) continue; // "car's" -> "cars" is closer to what porter stems than "car" + "s"
            if (current.Length > 1 && !StopWords.Contains(current.ToString()) && !words.Contains(current.ToString()))
                words.Add(current.ToString());
            current.Clear();
        }
        return words;
    }

    /// <summary>An FTS5 query matching any of <paramref name="keywords"/>; each is quoted, so no word is read as FTS5 syntax.</summary>
    public static string ToFts5Query(IEnumerable<string> keywords) =>
        string.Join(" OR ", keywords.Select(word => "\"" + word.Replace("\"", "\"\"") + "\""));
}
