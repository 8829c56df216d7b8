using System.Text.Json.Serialization;

namespace LlamaGen.Rag.Asking;

/// <summary>One passage in <c>ask --json</c>.</summary>
/// <param name="Position">0-based ordinal of the passage in its file.</param>
/// <param name="Score">The retrieval score: the fused score (hybrid: convex in [0, 1], or reciprocal rank), cosine (vector) or BM25 (keyword).</param>
public sealed record AskJsonPassage(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("text")] string Text);
