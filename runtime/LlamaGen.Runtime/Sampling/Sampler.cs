namespace LlamaGen.Sampling;

/// <summary>
/// Picks the next token from a vector of logits with the chain llama.cpp's common sampler uses:
/// repetition penalty, top-k, top-p, min-p, temperature, then a seeded draw (see
/// <c>src/llama-sampling.cpp</c>). Top-p and min-p see the untempered probabilities, as in llama.cpp.
/// Every buffer is sized once for the vocabulary, so <see cref="Sample"/> does not allocate.
/// Not thread-safe: one sampler per sequence.
/// </summary>
public sealed class Sampler
{
    private readonly SamplerOptions options;
    private readonly int vocabSize;
    private readonly Candidate[] candidates;
    private readonly double[] weights;
    // seenStamp[id] == stamp marks a token already penalised in this call; a new stamp per call avoids clearing.
    private readonly int[] seenStamp;
    // Occurrences of each token in the window, valid where seenStamp holds the current stamp.
    private readonly int[] occurrences;
    private int stamp;
    private Xoshiro256StarStar random;

    public Sampler(SamplerOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        this.options = options;
        this.vocabSize = vocabSize;
        candidates = new Candidate[vocabSize];
        weights = new double[vocabSize];
        bool penalties = options.RepetitionPenalty != 1.0f || options.FrequencyPenalty != 0 || options.PresencePenalty != 0;
        seenStamp = penalties ? new int[vocabSize] : [];
        occurrences = penalties ? new int[vocabSize] : [];
        Seed = options.Seed ?? (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
        random = new Xoshiro256StarStar(Seed);
    }

    public SamplerOptions Options => options;

    public int VocabSize => vocabSize;

    /// <summary>The seed in use: <see cref="SamplerOptions.Seed"/>, or the random one chosen when it was null.</summary>
    public ulong Seed { get; }

    /// <summary>Restarts the random sequence from <see cref="Seed"/>.</summary>
    public void Reset() => random = new Xoshiro256StarStar(Seed);

    /// <summary>
    /// Chooses a token id. <paramref name="recentTokens"/> is the sequence so far (oldest first); only its last
    /// <see cref="SamplerOptions.RepetitionWindow"/> entries are penalised.
    /// </summary>
    public int Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> recentTokens)
    {
        if (logits.Length != vocabSize)
            throw new ArgumentException(
                $"Expected {vocabSize} logits (the vocabulary size this sampler was built for), got {logits.Length}.",
                nameof(logits));

        for (int i = 0; i < logits.Length; i++)
            candidates[i] = new Candidate(i, logits[i]);

        ApplyRepetitionPenalty(recentTokens);

        if (options.Temperature == 0)
            return ArgMax(candidates);

        int count = vocabSize;
        bool sorted = false;
        count = ApplyTopK(count, ref sorted);
        count = ApplyTopP(count, sorted);
        count = ApplyMinP(count);
        return Draw(count);
    }

    /// <summary>
    /// llama.cpp's penalties sampler over the window: for each distinct token in it, the repetition penalty (a positive
    /// logit divided by it, a negative one multiplied, so it always lowers the token), then <c>count * frequency +
    /// presence</c> subtracted.
    /// </summary>
    private void ApplyRepetitionPenalty(ReadOnlySpan<int> recentTokens)
    {
        float penalty = options.RepetitionPenalty, frequency = options.FrequencyPenalty, presence = options.PresencePenalty;
        if ((penalty == 1.0f && frequency == 0 && presence == 0) || options.RepetitionWindow == 0)
            return;

        if (recentTokens.Length > options.RepetitionWindow)
            recentTokens = recentTokens[^options.RepetitionWindow..];

        if (++stamp == int.MaxValue)
        {
            Array.Clear(seenStamp);
            stamp = 1;
        }

        foreach (int token in recentTokens)
        {
            if ((uint)token >= (uint)vocabSize)
                throw new ArgumentOutOfRangeException(nameof(recentTokens), token,
                    $"Recent token id {token} is outside the vocabulary [0, {vocabSize}).");
            if (seenStamp[token] != stamp)
            {
                seenStamp[token] = stamp;
                occurrences[token] = 0;
            }
            occurrences[token]++;
        }
        foreach (int token in recentTokens)
        {
            // Each distinct token is penalised once, however often it occurs, as in llama.cpp.
            int count = occurrences[token];
            if (count == 0)
                continue;
            occurrences[token] = 0;
            ref float logit = ref candidates[token].Logit;
            // Dividing a negative logit would raise its probability; multiplying lowers it (llama.cpp's fix
            // of the CTRL paper's rule).
            if (penalty != 1.0f) logit = logit <= 0 ? logit * penalty : logit / penalty;
            logit -= count * frequency + presence;
        }
    }

    private int ApplyTopK(int count, ref bool sorted)
    {
        int k = options.TopK;
        if (k <= 0 || k >= count)
            return count;

        SelectTop(candidates.AsSpan(0, count), k);
        candidates.AsSpan(0, k).Sort(Candidate.ByDescendingLogit);
        sorted = true;
        return k;
    }

    private int ApplyTopP(int count, bool sorted)
    {
        float p = options.TopP;
        if (p >= 1.0f || count == 1)
            return count;

        Span<Candidate> span = candidates.AsSpan(0, count);
        if (!sorted)
            span.Sort(Candidate.ByDescendingLogit);

        // Softmax over the survivors so far; candidates are sorted, so the first holds the maximum.
        float max = span[0].Logit;
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            double w = Math.Exp(span[i].Logit - max);
            weights[i] = w;
            sum += w;
        }

        // The smallest prefix whose probability reaches p; the first candidate always stays.
        double target = p * sum;
        double cumulative = 0;
        for (int i = 0; i < count; i++)
        {
            cumulative += weights[i];
            if (cumulative >= target)
                return i + 1;
        }
        return count;
    }

    private int ApplyMinP(int count)
    {
        float minP = options.MinP;
        if (minP <= 0 || count == 1)
            return count;

        Span<Candidate> span = candidates.AsSpan(0, count);
        float max = float.NegativeInfinity;
        foreach (var c in span)
            max = Math.Max(max, c.Logit);

        // p_i >= minP * p_max  <=>  logit_i >= logit_max + ln(minP): no softmax needed.
        float threshold = max + MathF.Log(minP);
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (span[i].Logit >= threshold)
                span[kept++] = span[i];
        }
        return kept;
    }

    private int Draw(int count)
    {
        Span<Candidate> span = candidates.AsSpan(0, count);
        if (count == 1)
            return span[0].Id;

        float inverseTemperature = 1.0f / options.Temperature;
        float max = float.NegativeInfinity;
        foreach (var c in span)
            max = Math.Max(max, c.Logit);

        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            double w = Math.Exp((double)(span[i].Logit - max) * inverseTemperature);
            weights[i] = w;
            sum += w;
        }

        double target = random.NextDouble() * sum;
        double running = 0;
        for (int i = 0; i < count; i++)
        {
            running += weights[i];
            // Strictly greater: a zero-weight candidate can never be drawn, even when target is 0.
            if (running > target)
                return span[i].Id;
        }

        // Rounding can leave target a hair above the running sum: take the last candidate with any weight.
        for (int i = count - 1; i > 0; i--)
        {
            if (weights[i] > 0)
                return span[i].Id;
        }
        return span[0].Id;
    }

    private static int ArgMax(ReadOnlySpan<Candidate> span)
    {
        int best = 0;
        float bestLogit = span[0].Logit;
        for (int i = 1; i < span.Length; i++)
        {
            // Strictly greater keeps the lowest id on ties, as llama.cpp's greedy sampler does.
            if (span[i].Logit > bestLogit)
            {
                best = i;
                bestLogit = span[i].Logit;
            }
        }
        return span[best].Id;
    }

    /// <summary>Moves the <paramref name="k"/> best candidates to the front (in no order) with a min-heap.</summary>
    private static void SelectTop(Span<Candidate> span, int k)
    {
        Span<Candidate> heap = span[..k];
        for (int i = k / 2 - 1; i >= 0; i--)
            SiftDown(heap, i);

        for (int i = k; i < span.Length; i++)
        {
            // heap[0] is the worst of the best k so far.
            if (Candidate.ByDescendingLogit(span[i], heap[0]) < 0)
            {
                (heap[0], span[i]) = (span[i], heap[0]);
                SiftDown(heap, 0);
            }
        }
    }

    private static void SiftDown(Span<Candidate> heap, int i)
    {
        while (true)
        {
            int worst = i;
            int left = 2 * i + 1, right = left + 1;
            if (left < heap.Length && Candidate.ByDescendingLogit(heap[left], heap[worst]) > 0)
                worst = left;
            if (right < heap.Length && Candidate.ByDescendingLogit(heap[right], heap[worst]) > 0)
                worst = right;
            if (worst == i)
                return;
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }

    private struct Candidate(int id, float logit)
    {
        public readonly int Id = id;
        public float Logit = logit;

        /// <summary>Higher logit first, then lower id, so ties resolve the same way everywhere.</summary>
        public static readonly Comparison<Candidate> ByDescendingLogit = static (a, b) =>
        {
            int byLogit = b.Logit.CompareTo(a.Logit);
            return byLogit != 0 ? byLogit : a.Id.CompareTo(b.Id);
        };
    }
}
