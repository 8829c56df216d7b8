using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using LlamaGen.Gguf;
using LlamaGen.Quantization;
using LlamaGen.Sampling;
using LlamaGen.Models;

namespace LlamaGen.Conversion;

/// <summary>
/// Writes a GGUF file with a spec's exact shapes and random weights: how benchmarks get real-sized models (Llama 2 7B,
/// 13B, ...) without downloading them. The file has llama.cpp's tensor names, types and metadata, and the vocabulary
/// (<c>tokenizer.ggml.*</c>) of another GGUF file, so llama.cpp and LlamaGen both load it and tokenize real text.
/// The matrices are of one type, or of llama.cpp's Q4_K_M/Q5_K_M mixes (<see cref="SyntheticModelType"/>).
/// </summary>
/// <remarks>
/// Matrices (token embedding and output included) hold bell-shaped values with standard deviation
/// <see cref="MatrixStandardDeviation"/>, like a trained model's, so activations stay finite through any number of
/// layers: after each RMSNorm a row of <c>n</c> such weights gives outputs of standard deviation about
/// <c>0.02·√n</c> (1.3 for n = 4096). Norm weights are 1. The file is written in one streaming pass with a bounded
/// working set (two chunk buffers of <see cref="ChunkBytes"/> and one row of floats per thread), rows are generated
/// and quantized in parallel, and each row has its own random stream, so the bytes depend on the seed only, not on
/// the number of threads. A row's values do not depend on the weight type either (only on the seed, the tensor's
/// position in the file and the row), so the F32 file of a seed holds the exact values that every quantized file of
/// that seed quantizes: the reference against which quantization error is measured.
/// </remarks>
public static class SyntheticModelWriter
{
    /// <summary>Standard deviation of the random matrix weights (a common initialisation scale for Llama models).</summary>
    public const float MatrixStandardDeviation = 0.02f;

    /// <summary>Bytes generated per chunk; two chunks are in memory (one being generated, one being written).</summary>
    public const int ChunkBytes = 16 << 20;

    /// <summary>The weight types every matrix of a synthetic model can have (the mixes are in <see cref="SyntheticModelType.All"/>).</summary>
    public static IReadOnlyList<GgmlType> SupportedTypes { get; } =
        SyntheticModelType.All.Where(t => t.UniformType is not null).Select(t => t.UniformType!.Value).ToArray();

    // Irwin-Hall: the sum of four uniform 16-bit integers has mean 4 * 65535 / 2 and variance 4 * (65536^2 - 1) / 12.
    private const double IrwinHallMean = 4 * 65535 / 2.0;
    private static readonly double IrwinHallStandardDeviation = Math.Sqrt(4 * (65536.0 * 65536.0 - 1) / 12);

    /// <summary>
    /// Writes <paramref name="outputPath"/> (through <c>OUTPUT.tmp</c>, renamed at the end; deleted on failure).
    /// </summary>
    /// <param name="shape">The model's hyperparameters, e.g. from <see cref="Specs.SpecJsonReader.ReadFile(string)"/>.</param>
    /// <param name="type">The type of every matrix, one of <see cref="SupportedTypes"/>. Norm weights are always F32.</param>
    /// <param name="vocabularyPath">A GGUF file whose <c>tokenizer.*</c> metadata is copied; its token count must equal
    /// <paramref name="shape"/>'s vocabulary size.</param>
    /// <param name="seed">Seeds the weights: the same seed gives the same file.</param>
    /// <param name="threads">Threads generating rows; 0 = one per processor.</param>
    /// <param name="progress">Called on the writing thread after each chunk with (tensor bytes written, total tensor bytes).</param>
    /// <exception cref="ArgumentException">The type is not supported, or a matrix row is not a whole number of its blocks.</exception>
    /// <exception cref="ModelMismatchException">The vocabulary file's token count differs from the shape's vocabulary size.</exception>
    public static void Write(ModelShape shape, GgmlType type, string vocabularyPath, string outputPath, ulong seed = 0, int threads = 0,
        Action<long, long>? progress = null, CancellationToken cancellation = default) =>
        Write(shape, SyntheticModelType.Of(type), vocabularyPath, outputPath, seed, threads, progress, cancellation);

    /// <summary>
    /// Writes <paramref name="outputPath"/> (through <c>OUTPUT.tmp</c>, renamed at the end; deleted on failure) with the
    /// tensor types of <see cref="Plan"/>.
    /// </summary>
    /// <param name="shape">The model's hyperparameters, e.g. from <see cref="Specs.SpecJsonReader.ReadFile(string)"/>.</param>
    /// <param name="type">One type for every matrix, or a llama.cpp mix. Norm weights are always F32.</param>
    /// <param name="vocabularyPath">A GGUF file whose <c>tokenizer.*</c> metadata is copied; its token count must equal
    /// <paramref name="shape"/>'s vocabulary size.</param>
    /// <param name="seed">Seeds the weights: the same seed gives the same file.</param>
    /// <param name="threads">Threads generating rows; 0 = one per processor.</param>
    /// <param name="progress">Called on the writing thread after each chunk with (tensor bytes written, total tensor bytes).</param>
    /// <exception cref="ArgumentException">A matrix row is not a whole number of the uniform type's blocks.</exception>
    /// <exception cref="ModelMismatchException">The vocabulary file's token count differs from the shape's vocabulary size.</exception>
    /// <param name="options">Tied classifier and RoPE frequency factors (Llama 3 layouts); null for Llama 2's layout.</param>
    public static void Write(ModelShape shape, SyntheticModelType type, string vocabularyPath, string outputPath, ulong seed = 0, int threads = 0,
        Action<long, long>? progress = null, CancellationToken cancellation = default, SyntheticModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(vocabularyPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        options ??= SyntheticModelOptions.Default;
        var plan = Plan(shape, type, options);
        var tensors = TensorLayout(shape, options);
        for (int i = 0; i < tensors.Count; i++) tensors[i] = tensors[i] with { Type = plan[i].To };

        // Everything that can be checked is checked before the output file is created.
        using var vocabulary = GgufFile.Open(vocabularyPath);
        var tokenizer = TokenizerMetadata(vocabulary, shape);

        string fullOutput = Path.GetFullPath(outputPath);
        string temporary = fullOutput + ".tmp";
        long dataBytes = tensors.Sum(t => Align(checked(RowBytes(t) * t.Rows)));
        try
        {
            // Preallocating makes a full disk fail now, with an IOException, rather than after minutes of writing.
            var streamOptions = new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None,
                BufferSize = 1 << 20, PreallocationSize = dataBytes,
            };
            using (var output = new FileStream(temporary, streamOptions))
            {
                var writer = new GgufWriter(output);
                AddMetadata(writer, shape, type, tensors.Any(t => GgmlTypeInfo.BlockSize(t.Type) > 1), tokenizer);
                if (options.LinearRopeScalingFactor is float factor)
                    writer.AddMetadata(Models.RopeScaling.TypeKey, "linear").AddMetadata(Models.RopeScaling.FactorKey, factor);
                foreach (var tensor in tensors) writer.AddTensor(tensor.Name, tensor.Dimensions, tensor.Type);
                WriteTensorData(writer, tensors, seed, threads == 0 ? Environment.ProcessorCount : threads, progress, cancellation);
                writer.Finish();
            }
            File.Move(temporary, fullOutput, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>llama.cpp's <c>llama_ftype</c> for a model whose matrices are all <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">No synthetic model can have <paramref name="type"/> weights.</exception>
    public static uint FileType(GgmlType type) => SyntheticModelType.Of(type).FileType;

    /// <summary>
    /// The type of every tensor of a synthetic model, in file order (<c>From</c> is F32, the values as generated): a
    /// uniform type for every matrix, or llama.cpp's recipe for a mix (<see cref="QuantizationRecipe.Plan"/>, with
    /// its fallbacks, e.g. Q4_K → Q5_0 on rows of 64), exactly as <c>llamagen quantize</c> would convert the F32
    /// synthetic model of the same shape.
    /// </summary>
    /// <exception cref="ArgumentException">The shape's head counts do not divide evenly, or (uniform types) a matrix
    /// row is not a whole number of the type's blocks.</exception>
    public static TensorQuantization[] Plan(ModelShape shape, SyntheticModelType type, SyntheticModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(type);
        var tensors = TensorLayout(shape, options ?? SyntheticModelOptions.Default);
        CheckShape(shape, type, tensors);
        if (type.Mix is { } mix)
        {
            var model = new RecipeModel("llama", shape.BlockCount, shape.HeadCount, shape.HeadCountKv);
            return QuantizationRecipe.Plan(mix, model, tensors.Select(t => new RecipeTensor(t.Name, t.Dimensions, GgmlType.F32)).ToArray());
        }
        var uniform = type.UniformType!.Value;
        return tensors.Select(t => new TensorQuantization(t.Name, GgmlType.F32, t.IsNorm ? GgmlType.F32 : uniform)).ToArray();
    }

    /// <summary>One tensor to write: GGUF dimensions (row length first) and what fills it.</summary>
    /// <param name="Values">Fixed F32 values (the RoPE frequency factors), or null: norms are 1, matrices random.</param>
    private sealed record SyntheticTensor(string Name, long[] Dimensions, GgmlType Type, bool IsNorm, IReadOnlyList<float>? Values = null)
    {
        public int Columns => checked((int)Dimensions[0]);
        public long Rows => Dimensions.Length > 1 ? Dimensions[1] : 1;
    }

    /// <summary>
    /// llama.cpp's tensors for a Llama model, in the order its converter writes them, except that the optional tensors
    /// (<paramref name="options"/>) come last so they leave every other tensor's seed, and values, as they are. Every
    /// tensor is F32 here; <see cref="Plan"/> decides the types.
    /// </summary>
    private static List<SyntheticTensor> TensorLayout(ModelShape s, SyntheticModelOptions options)
    {
        const GgmlType type = GgmlType.F32;
        long d = s.EmbeddingLength, q = s.QueryDimension, kv = s.KvDimension, h = s.FeedForwardLength, v = s.VocabSize;
        var tensors = new List<SyntheticTensor> { new("token_embd.weight", [d, v], type, false) };
        for (int layer = 0; layer < s.BlockCount; layer++)
        {
            tensors.Add(new($"blk.{layer}.attn_norm.weight", [d], GgmlType.F32, true));
            tensors.Add(new($"blk.{layer}.attn_q.weight", [d, q], type, false));
            tensors.Add(new($"blk.{layer}.attn_k.weight", [d, kv], type, false));
            tensors.Add(new($"blk.{layer}.attn_v.weight", [d, kv], type, false));
            tensors.Add(new($"blk.{layer}.attn_output.weight", [q, d], type, false));
            tensors.Add(new($"blk.{layer}.ffn_norm.weight", [d], GgmlType.F32, true));
            tensors.Add(new($"blk.{layer}.ffn_gate.weight", [d, h], type, false));
            tensors.Add(new($"blk.{layer}.ffn_down.weight", [h, d], type, false));
            tensors.Add(new($"blk.{layer}.ffn_up.weight", [d, h], type, false));
        }
        tensors.Add(new("output_norm.weight", [d], GgmlType.F32, true));
        if (!options.TiedEmbeddings) tensors.Add(new("output.weight", [d, v], type, false));
        if (options.RopeFrequencyFactors is { } factors)
        {
            if (factors.Count != s.HeadDimension / 2)
                throw new ArgumentException(
                    $"Model '{s.Name}': {factors.Count} RoPE frequency factors given, the head dimension {s.HeadDimension} has {s.HeadDimension / 2} pairs.",
                    nameof(options));
            tensors.Add(new("rope_freqs.weight", [s.HeadDimension / 2], GgmlType.F32, true, factors));
        }
        return tensors;
    }

    private static void CheckShape(ModelShape shape, SyntheticModelType synthetic, List<SyntheticTensor> tensors)
    {
        if (shape.HeadCount % shape.HeadCountKv != 0 || shape.HeadDimension == 0 || shape.HeadDimension % 2 != 0)
            throw new ArgumentException(
                $"Model '{shape.Name}': attention.head_count {shape.HeadCount}, attention.head_count_kv {shape.HeadCountKv} and " +
                $"head size {shape.HeadDimension} (embedding_length {shape.EmbeddingLength}) do not make a Llama attention: " +
                "the KV heads must divide the query heads and the head size must be even.", nameof(shape));
        // A mix falls back to other types where rows do not fit (as llama.cpp's recipe does); a uniform type must fit.
        if (synthetic.UniformType is not { } type) return;
        int block = GgmlTypeInfo.BlockSize(type);
        foreach (var tensor in tensors)
        {
            if (!tensor.IsNorm && tensor.Columns % block != 0)
                throw new ArgumentException(
                    $"Model '{shape.Name}': tensor '{tensor.Name}' has rows of {tensor.Columns} elements, not a whole number of " +
                    $"{GgmlTypeInfo.Name(type)} blocks of {block}; choose another type (f16 or f32 fit any shape).", nameof(type));
        }
    }

    /// <summary>The vocabulary file's <c>tokenizer.*</c> entries, after checking its token count against the shape.</summary>
    private static List<GgufMetadata> TokenizerMetadata(GgufFile vocabulary, ModelShape shape)
    {
        if (!vocabulary.TryGetStringArray("tokenizer.ggml.tokens", out var tokens))
            throw new ModelMismatchException(vocabulary.Path, null,
                $"{vocabulary.Path}: the vocabulary file has no tokenizer.ggml.tokens; pass a GGUF model file with a tokenizer.");
        if (tokens.Length != shape.VocabSize)
            throw new ModelMismatchException(vocabulary.Path, null,
                $"{vocabulary.Path}: the vocabulary has {tokens.Length} tokens (tokenizer.ggml.tokens) but model '{shape.Name}' has " +
                $"vocab_size {shape.VocabSize}; use a vocabulary file with {shape.VocabSize} tokens.");
        return [.. vocabulary.Metadata.Where(m => m.Key.StartsWith("tokenizer.", StringComparison.Ordinal))];
    }

    private static void AddMetadata(GgufWriter writer, ModelShape s, SyntheticModelType type, bool quantized, List<GgufMetadata> tokenizer)
    {
        writer.AddMetadata("general.architecture", "llama")
              .AddMetadata("general.name", s.Name)
              .AddMetadata("general.file_type", type.FileType);
        // llama.cpp's quantizer records the block format version (2 since the Q4_0/Q8_0 layouts of May 2023).
        if (quantized) writer.AddMetadata("general.quantization_version", QuantizationRecipe.QuantizationVersion);
        writer.AddMetadata("llama.vocab_size", (uint)s.VocabSize)
              .AddMetadata("llama.context_length", (uint)s.ContextLength)
              .AddMetadata("llama.embedding_length", (uint)s.EmbeddingLength)
              .AddMetadata("llama.block_count", (uint)s.BlockCount)
              .AddMetadata("llama.feed_forward_length", (uint)s.FeedForwardLength)
              .AddMetadata("llama.rope.dimension_count", (uint)s.HeadDimension)
              .AddMetadata("llama.rope.freq_base", s.RopeFreqBase)
              .AddMetadata("llama.attention.head_count", (uint)s.HeadCount)
              .AddMetadata("llama.attention.head_count_kv", (uint)s.HeadCountKv)
              .AddMetadata("llama.attention.layer_norm_rms_epsilon", s.RmsEpsilon);
        // llama.cpp's converter writes the head sizes only where they are not embedding / heads (Mistral Nemo).
        if (s.HasStatedHeadDimension)
            writer.AddMetadata("llama.attention.key_length", (uint)s.HeadDimension)
                  .AddMetadata("llama.attention.value_length", (uint)s.HeadDimension);
        foreach (var entry in tokenizer) writer.AddMetadata(entry.Key, entry.Value);
    }

    private static long RowBytes(SyntheticTensor tensor) => GgmlTypeInfo.RowBytes(tensor.Type, tensor.Columns);

    private static long Align(long offset) => (offset + GgufFile.DefaultAlignment - 1) & ~((long)GgufFile.DefaultAlignment - 1);

    /// <summary>
    /// Generates the tensors chunk by chunk (a run of whole rows of one tensor) into two alternating buffers: while
    /// the threads fill one, the previous one is written, so the disk and the processors work at the same time.
    /// </summary>
    private static void WriteTensorData(GgufWriter writer, List<SyntheticTensor> tensors, ulong seed, int threads,
        Action<long, long>? progress, CancellationToken cancellation)
    {
        long total = tensors.Sum(t => RowBytes(t) * t.Rows), written = 0;
        byte[][] buffers = [new byte[ChunkBytes], new byte[ChunkBytes]];
        int next = 0;
        Task pending = Task.CompletedTask;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };
        try
        {
            for (int index = 0; index < tensors.Count; index++)
            {
                var tensor = tensors[index];
                int rowBytes = checked((int)RowBytes(tensor));
                if (rowBytes > ChunkBytes)
                    throw new ArgumentException($"Tensor '{tensor.Name}': a row of {rowBytes} bytes is larger than a chunk ({ChunkBytes} bytes).");
                int rowsPerChunk = ChunkBytes / rowBytes;
                for (long start = 0; start < tensor.Rows; start += rowsPerChunk)
                {
                    int rows = (int)Math.Min(rowsPerChunk, tensor.Rows - start);
                    byte[] buffer = buffers[next];
                    next ^= 1;
                    Fill(tensor, index, start, rows, buffer.AsMemory(0, rows * rowBytes), seed, parallel);

                    pending.GetAwaiter().GetResult(); // the other buffer is written; rethrows its I/O error
                    int length = rows * rowBytes;
                    pending = Task.Run(() =>
                    {
                        writer.WriteTensorData(buffer.AsSpan(0, length));
                        written += length;
                        progress?.Invoke(written, total);
                    }, CancellationToken.None);
                }
            }
        }
        catch
        {
            // Never leave a write running on a stream the caller is about to close; the first error is the one to report.
            try { pending.Wait(CancellationToken.None); } catch (AggregateException) { }
            throw;
        }
        pending.GetAwaiter().GetResult();
    }

    /// <summary>Fills <paramref name="destination"/> with rows <paramref name="firstRow"/>.. of a tensor, in parallel.</summary>
    private static void Fill(SyntheticTensor tensor, int tensorIndex, long firstRow, int rows, Memory<byte> destination, ulong seed, ParallelOptions parallel)
    {
        int columns = tensor.Columns;
        int rowBytes = destination.Length / rows;
        if (tensor.Values is { } fixedValues)
        {
            var floats = MemoryMarshal.Cast<byte, float>(destination.Span);
            // A vector: one row, the whole tensor.
            for (int i = 0; i < floats.Length; i++) floats[i] = fixedValues[i];
            return;
        }
        if (tensor.IsNorm)
        {
            MemoryMarshal.Cast<byte, float>(destination.Span).Fill(1f);
            return;
        }
        // Contiguous runs of rows per work item: few enough to keep scheduling cheap, enough to balance two to many cores.
        int parts = Math.Min(rows, parallel.MaxDegreeOfParallelism * 8);
        Parallel.For(0, parts, parallel, () => new float[columns], (part, _, values) =>
        {
            int begin = (int)((long)rows * part / parts), end = (int)((long)rows * (part + 1) / parts);
            for (int row = begin; row < end; row++)
            {
                FillRow(values, RowSeed(seed, tensorIndex, firstRow + row));
                Encode(tensor.Type, values, destination.Span.Slice(row * rowBytes, rowBytes));
            }
            return values;
        }, _ => { });
    }

    /// <summary>Every row gets its own stream, so rows can be generated in any order on any thread.</summary>
    private static ulong RowSeed(ulong seed, int tensorIndex, long row) =>
        seed * 0x9E3779B97F4A7C15UL ^ ((ulong)tensorIndex << 40) ^ (ulong)row;

    /// <summary>
    /// Bell-shaped values with mean 0 and standard deviation <see cref="MatrixStandardDeviation"/>: each is the sum of
    /// the four 16-bit parts of one 64-bit random number (Irwin-Hall, n = 4), close to a normal distribution but
    /// bounded by ±3.5 standard deviations, and one generator step per value.
    /// </summary>
    private static void FillRow(Span<float> values, ulong rowSeed)
    {
        var random = new Xoshiro256StarStar(rowSeed);
        float scale = (float)(MatrixStandardDeviation / IrwinHallStandardDeviation);
        for (int i = 0; i < values.Length; i++)
        {
            ulong r = random.NextUInt64();
            ulong pairs = (r & 0x0000FFFF0000FFFFUL) + ((r >> 16) & 0x0000FFFF0000FFFFUL);
            long sum = (long)((pairs & 0xFFFFFFFFUL) + (pairs >> 32));
            values[i] = (float)(sum - IrwinHallMean) * scale;
        }
    }

    private static void Encode(GgmlType type, ReadOnlySpan<float> values, Span<byte> destination)
    {
        switch (type)
        {
            // Vectorised, with the same round-to-nearest-even as ReferenceQuantization's per-element conversion.
            case GgmlType.F16: TensorPrimitives.ConvertToHalf(values, MemoryMarshal.Cast<byte, Half>(destination)); break;
            default: ReferenceQuantization.QuantizeRow(type, values, destination); break;
        }
    }
}
