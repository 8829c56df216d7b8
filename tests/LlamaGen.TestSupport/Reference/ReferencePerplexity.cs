namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// Perplexity computed on the scalar reference (<see cref="ReferenceLlama"/>), written from llama.cpp's
/// <c>tools/perplexity/perplexity.cpp</c> (<c>perplexity()</c> and <c>log_softmax</c>) and sharing no code with the
/// runtime's evaluator: every token of every window is fed one at a time, and the log-softmax keeps llama.cpp's
/// float max and double sum of exponentials.
/// </summary>
public static class ReferencePerplexity
{
    public sealed record Result(double Perplexity, int TokensScored, int Windows);

    /// <param name="tokens">The whole text tokenized with BOS first.</param>
    /// <param name="contextLength">Tokens per window (llama.cpp's n_ctx).</param>
    /// <param name="secondHalfOnly">llama.cpp's rule (score the predictions from position n_ctx/2 on) or every prediction.</param>
    public static Result Compute(ReferenceLlamaWeights weights, IReadOnlyList<int> tokens, int contextLength, bool secondHalfOnly, int bos = 1)
    {
        int windows = tokens.Count / contextLength;
        int first = secondHalfOnly ? contextLength / 2 : 0;
        double nll = 0;
        int count = 0;
        for (int window = 0; window < windows; window++)
        {
            var model = new ReferenceLlama(weights);
            int start = window * contextLength;
            // llama.cpp overwrites the window's first token with BOS (it does not shift the window).
            for (int position = 0; position < contextLength - 1; position++)
            {
                int token = position == 0 ? bos : tokens[start + position];
                float[] logits = model.Forward(token, position);
                if (position < first)
                    continue;
                nll -= LogSoftmax(logits, tokens[start + position + 1]);
                count++;
            }
        }
        return new Result(Math.Exp(nll / count), count, windows);
    }

    private static double LogSoftmax(float[] logits, int token)
    {
        float max = logits[0];
        for (int i = 1; i < logits.Length; i++)
            max = Math.Max(max, logits[i]);
        double sumExp = 0;
        for (int i = 0; i < logits.Length; i++)
            sumExp += MathF.Exp(logits[i] - max);
        return logits[token] - max - Math.Log(sumExp);
    }
}
