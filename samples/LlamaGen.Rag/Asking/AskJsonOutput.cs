using System.Text.Json.Serialization;

namespace LlamaGen.Rag.Asking;

/// <summary>What <c>ask --json</c> prints: one object.</summary>
/// <param name="Passages">Best first.</param>
/// <param name="Answer">Null with <c>--no-generate</c>.</param>
/// <param name="Citations">1-based indexes into <paramref name="Passages"/>, as the answer cites them ([1] is the first passage).</param>
public sealed record AskJsonOutput(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("passages")] IReadOnlyList<AskJsonPassage> Passages,
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("citations")] IReadOnlyList<int> Citations)
{
    public static AskJsonOutput From(AskResult result) => new(
        result.Question,
        result.Passages.Select(p => new AskJsonPassage(p.Passage.File, p.Passage.Position, p.Score, p.Passage.Text)).ToList(),
        result.Answer,
        result.Citations);
}
