using LlamaGen.Rag.Retrieval;

namespace LlamaGen.Rag.Evaluation;

/// <summary>Recall@5 and MRR@10 of one retrieval mode over a set of questions, and the questions it missed.</summary>
public sealed record RetrievalScores(RetrievalMode Mode, double RecallAt5, double MeanReciprocalRank, IReadOnlyList<string> Misses)
{
    public static async Task<RetrievalScores> MeasureAsync(PassageRetriever retriever, RetrievalMode mode, IReadOnlyList<EvaluationQuestion> questions,
        CancellationToken cancellationToken = default)
    {
        int hits = 0;
        double reciprocalRanks = 0;
        var misses = new List<string>();
        foreach (var question in questions)
        {
            var passages = await retriever.RetrieveAsync(question.Question, 10, mode, cancellationToken);
            int rank = 1 + passages.ToList().FindIndex(p => question.IsAnsweredBy(p.Passage.File, p.Passage.Text));
            if (rank is >= 1 and <= 5) hits++;
            else misses.Add($"{question.Question} (rank {(rank == 0 ? ">10" : rank)})");
            if (rank >= 1) reciprocalRanks += 1.0 / rank;
        }
        return new RetrievalScores(mode, (double)hits / questions.Count, reciprocalRanks / questions.Count, misses);
    }

    public override string ToString() => $"{Mode}: recall@5 {RecallAt5:P1}, MRR@10 {MeanReciprocalRank:F3}";
}
