namespace LlamaGen.Compute;

/// <summary>
/// Causal multi-head attention of one query token over a <see cref="KvCache"/> layer, with grouped-query heads
/// (llama2.c's <c>kv_mul</c>): query head <c>h</c> reads KV head <c>h / (headCount / kvHeads)</c>.
/// </summary>
/// <remarks>
/// The loops run position-major: each cached key (then value) row is read, and for an F16 cache widened to F32, once
/// for all query heads, in the order it lies in memory. Per head the arithmetic is run.c's: <c>score[t] = dot(q, k[t]) /
/// sqrt(headDimension)</c> (a division, as run.c, so both round alike), softmax over <c>t &lt;= position</c>, then
/// <c>out += score[t] * v[t]</c> in increasing <c>t</c>.
/// </remarks>
public static unsafe class Attention
{
    /// <summary>
    /// Attends the <paramref name="headCount"/> heads of <paramref name="query"/> (at <paramref name="position"/>, whose key
    /// and value the cache must already hold) to cache positions <c>0..position</c> of <paramref name="layer"/>, writing
    /// <c>headCount * headDimension</c> floats to <paramref name="output"/>. <paramref name="scores"/> is scratch of
    /// <paramref name="headCount"/> rows of <paramref name="scoresStride"/> floats (at least <c>position + 1</c>).
    /// </summary>
    public static void Attend(KvCache cache, int layer, int position, float* query, float* output, float* scores, int scoresStride,
        int headCount, int headDimension, float scoreDivisor)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.ThrowIfDisposed();
        if ((uint)layer >= (uint)cache.BlockCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The cache has {cache.BlockCount} layers.");
        if ((uint)position >= (uint)cache.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"The cache holds {cache.ContextLength} positions.");
        if (headDimension <= 0 || cache.KvDimension % headDimension != 0)
            throw new ArgumentException($"Head dimension {headDimension} does not divide the cache's KV dimension {cache.KvDimension}.", nameof(headDimension));
        int kvHeads = cache.KvDimension / headDimension;
        if (headCount <= 0 || headCount % kvHeads != 0)
            throw new ArgumentException($"{headCount} query heads are not a whole number of groups per {kvHeads} KV heads.", nameof(headCount));
        if (scoresStride <= position)
            throw new ArgumentOutOfRangeException(nameof(scoresStride), scoresStride, $"Score rows must hold {position + 1} positions.");
        if (query == null || output == null || scores == null) throw new ArgumentNullException(query == null ? nameof(query) : output == null ? nameof(output) : nameof(scores));

        int groupSize = headCount / kvHeads;
        int length = position + 1;
        for (int t = 0; t < length; t++)
        {
            float* key = cache.KeyRowAsFloats(layer, t);
            for (int head = 0; head < headCount; head++)
            {
                float* cachedKey = key + head / groupSize * headDimension;
                scores[(nint)head * scoresStride + t] = TensorOps.Dot(query + head * headDimension, cachedKey, headDimension) / scoreDivisor;
            }
        }
        for (int head = 0; head < headCount; head++) TensorOps.Softmax(scores + (nint)head * scoresStride, length);

        TensorOps.Clear(output, headCount * headDimension);
        for (int t = 0; t < length; t++)
        {
            float* value = cache.ValueRowAsFloats(layer, t);
            for (int head = 0; head < headCount; head++)
            {
                float* cachedValue = value + head / groupSize * headDimension;
                TensorOps.MultiplyAdd(output + head * headDimension, cachedValue, scores[(nint)head * scoresStride + t], headDimension);
            }
        }
    }
}
