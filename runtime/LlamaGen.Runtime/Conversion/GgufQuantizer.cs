using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Conversion;

/// <summary>
/// Quantizes a GGUF model the way llama.cpp's <c>llama-quantize</c> does without an importance matrix: the same
/// per-tensor types (<see cref="QuantizationRecipe"/>), the same reference quantizers (bit-exact with ggml's
/// <c>quantize_row_*_ref</c>), metadata copied with <c>general.file_type</c> and <c>general.quantization_version</c>
/// set. Streams: one chunk of whole rows (at most <see cref="ChunkBytes"/> of output) is in memory at a time, plus one
/// row of floats per thread; the input is memory-mapped. Writes <c>OUTPUT.tmp</c> and renames it at the end; on any
/// failure or cancellation the temporary file is deleted and no output appears.
/// </summary>
public static class GgufQuantizer
{
    /// <summary>Output bytes quantized per chunk.</summary>
    public const int ChunkBytes = 8 << 20;

    private static readonly string[] SplitKeys = ["split.no", "split.count", "split.tensors.count"];

    /// <summary>The per-tensor plan for <paramref name="input"/>, without writing anything.</summary>
    /// <exception cref="InvalidDataException">The file lacks the metadata the recipe needs (architecture, block count).</exception>
    public static TensorQuantization[] Plan(GgufFile input, LlamaFileType fileType, bool pure = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tensors = input.Tensors.Select(t => new RecipeTensor(t.Name, t.Dimensions, t.Type)).ToArray();
        return QuantizationRecipe.Plan(fileType, ReadRecipeModel(input), tensors, pure);
    }

    /// <summary>
    /// Quantizes <paramref name="inputPath"/> into <paramref name="outputPath"/> and returns the plan it followed.
    /// Everything that can be checked (metadata, tensor types, the output path) is checked before the output is created.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor cannot be read (a type without a dequantizer), is already quantized
    /// and <see cref="GgufQuantizeOptions.AllowRequantize"/> is off, or the recipe's metadata is missing.</exception>
    /// <exception cref="IOException">The output exists and <see cref="GgufQuantizeOptions.Overwrite"/> is off, or is the input.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; nothing was written.</exception>
    public static TensorQuantization[] Quantize(string inputPath, string outputPath, GgufQuantizeOptions options,
        Action<GgufQuantizeProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads);
        string fullInput = Path.GetFullPath(inputPath), fullOutput = Path.GetFullPath(outputPath);
        if (string.Equals(fullInput, fullOutput, StringComparison.Ordinal))
            throw new IOException($"The output '{outputPath}' is the input file; write the quantized model to another path.");
        if (File.Exists(fullOutput) && !options.Overwrite)
            throw new IOException($"The output '{outputPath}' already exists; choose another path or allow overwriting it.");

        using var input = GgufFile.Open(inputPath);
        var plan = Plan(input, options.FileType, options.Pure);
        CheckConvertible(input, plan, options.AllowRequantize);

        string temporary = fullOutput + ".tmp";
        try
        {
            using (var output = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 20,
            }))
            {
                var writer = new GgufWriter(output, alignment: input.Alignment);
                CopyMetadata(input, writer, options.FileType);
                for (int i = 0; i < plan.Length; i++)
                    writer.AddTensor(input.Tensors[i].Name, input.Tensors[i].Dimensions, plan[i].To);
                int threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };
                byte[] chunk = new byte[ChunkBytes];
                for (int i = 0; i < plan.Length; i++)
                    WriteTensor(input, i, plan[i], writer, chunk, parallel, progress);
                writer.Finish();
            }
            File.Move(temporary, fullOutput, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        return plan;
    }

    /// <summary>The hyperparameters the recipe needs, from <c>general.architecture</c> and <c>{arch}.*</c>.</summary>
    private static RecipeModel ReadRecipeModel(GgufFile input)
    {
        if (!input.TryGetString("general.architecture", out string architecture))
            throw new InvalidDataException($"{input.Path}: no general.architecture; llama.cpp's quantization recipe needs it.");
        int Integer(string key, int fallback) =>
            input.TryGetValue($"{architecture}.{key}", out var value) && value.TryGetInt64(out long n) && n is >= 0 and <= int.MaxValue ? (int)n : fallback;
        int blocks = Integer("block_count", -1);
        if (blocks < 0)
            throw new InvalidDataException($"{input.Path}: no {architecture}.block_count; llama.cpp's quantization recipe needs the layer count.");
        int heads = Integer("attention.head_count", 0);
        return new RecipeModel(architecture, blocks, heads, Integer("attention.head_count_kv", heads), Integer("expert_count", 0));
    }

    /// <summary>Fails before anything is written if a tensor to convert cannot be read or would be requantized unasked.</summary>
    private static void CheckConvertible(GgufFile input, TensorQuantization[] plan, bool allowRequantize)
    {
        for (int i = 0; i < plan.Length; i++)
        {
            var (tensor, step) = (input.Tensors[i], plan[i]);
            if (step.From == step.To) continue;
            if (!Dequantization.IsSupported(step.From))
                throw new InvalidDataException(
                    $"{input.Path}: tensor '{tensor.Name}' is {GgmlTypeInfo.Name(step.From)}, which LlamaGen cannot read (dequantize) to convert it to {GgmlTypeInfo.Name(step.To)}.");
            if (step.From is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16) && !allowRequantize)
                throw new InvalidDataException(
                    $"{input.Path}: tensor '{tensor.Name}' is already quantized ({GgmlTypeInfo.Name(step.From)}); requantizing it to " +
                    $"{GgmlTypeInfo.Name(step.To)} loses more quality than quantizing from f16/f32, so it must be allowed explicitly (--allow-requantize).");
        }
    }

    /// <summary>
    /// Copies every metadata entry in order, except the split keys llama.cpp removes and <c>general.alignment</c>
    /// (the writer records the input's alignment itself); sets <c>general.file_type</c> and
    /// <c>general.quantization_version</c> as llama.cpp does (in place when present, else at the end).
    /// </summary>
    private static void CopyMetadata(GgufFile input, GgufWriter writer, LlamaFileType fileType)
    {
        bool fileTypeWritten = false, versionWritten = false;
        foreach (var entry in input.Metadata)
        {
            if (entry.Key == "general.alignment" || SplitKeys.Contains(entry.Key)) continue;
            if (entry.Key == "general.file_type")
            {
                writer.AddMetadata(entry.Key, (uint)fileType);
                fileTypeWritten = true;
            }
            else if (entry.Key == "general.quantization_version")
            {
                writer.AddMetadata(entry.Key, QuantizationRecipe.QuantizationVersion);
                versionWritten = true;
            }
            else
            {
                writer.AddMetadata(entry.Key, entry.Value);
            }
        }
        if (!versionWritten) writer.AddMetadata("general.quantization_version", QuantizationRecipe.QuantizationVersion);
        if (!fileTypeWritten) writer.AddMetadata("general.file_type", (uint)fileType);
    }

    /// <summary>Copies a tensor unchanged, or converts it chunk by chunk of whole rows, the rows of a chunk in parallel.</summary>
    private static unsafe void WriteTensor(GgufFile input, int index, TensorQuantization step, GgufWriter writer, byte[] chunk,
        ParallelOptions parallel, Action<GgufQuantizeProgress>? progress)
    {
        var tensor = input.Tensors[index];
        byte* source = (byte*)input.GetTensorPointer(tensor);
        long total = writer.Tensors[index].ByteLength;
        void Report(long done) => progress?.Invoke(new GgufQuantizeProgress(index, input.Tensors.Count, tensor, step, done, total));

        if (step.From == step.To)
        {
            for (long done = 0; done < total;)
            {
                parallel.CancellationToken.ThrowIfCancellationRequested();
                int n = (int)Math.Min(chunk.Length, total - done);
                writer.WriteTensorData(new ReadOnlySpan<byte>(source + done, n));
                done += n;
                Report(done);
            }
            if (total == 0) Report(0);
            return;
        }

        int columns = checked((int)tensor.Dimensions[0]);
        long rows = tensor.ElementCount / columns;
        int inRowBytes = checked((int)GgmlTypeInfo.RowBytes(step.From, columns));
        int outRowBytes = checked((int)GgmlTypeInfo.RowBytes(step.To, columns));
        if (outRowBytes > chunk.Length)
            throw new InvalidDataException($"{input.Path}: tensor '{tensor.Name}' has rows of {outRowBytes} bytes as {GgmlTypeInfo.Name(step.To)}, more than a chunk ({chunk.Length} bytes).");
        int rowsPerChunk = chunk.Length / outRowBytes;
        nint sourceAddress = (nint)source;
        for (long first = 0; first < rows; first += rowsPerChunk)
        {
            parallel.CancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(rowsPerChunk, rows - first);
            // Contiguous runs of rows per work item: cheap to schedule, enough to balance the threads.
            int parts = Math.Min(count, parallel.MaxDegreeOfParallelism * 8);
            long chunkFirst = first;
            Parallel.For(0, parts, parallel, () => new float[columns], (part, _, values) =>
            {
                int begin = (int)((long)count * part / parts), end = (int)((long)count * (part + 1) / parts);
                for (int row = begin; row < end; row++)
                {
                    var from = new ReadOnlySpan<byte>((byte*)sourceAddress + (chunkFirst + row) * inRowBytes, inRowBytes);
                    Dequantization.Row(step.From, from, values);
                    ReferenceQuantization.QuantizeRow(step.To, values, chunk.AsSpan(row * outRowBytes, outRowBytes));
                }
                return values;
            }, _ => { });
            writer.WriteTensorData(chunk.AsSpan(0, count * outRowBytes));
            Report((first + count) * outRowBytes);
        }
    }
}
