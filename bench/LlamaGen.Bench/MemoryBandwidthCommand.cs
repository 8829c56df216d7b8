using System.Globalization;
using LlamaGen.Gguf;

namespace LlamaGen.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/LlamaGen.Bench -- bandwidth [--threads 1,2] [--size-mib 1024]
/// [--repetitions 5] [--model FILE]</c>: prints the memory read bandwidth for each thread count and, with a model,
/// the bytes of weights one generated token reads and the tokens per second that bandwidth allows (the roofline).
/// </summary>
public static class MemoryBandwidthCommand
{
    public const string Name = "bandwidth";

    public static int Run(string[] args)
    {
        int[] threadCounts = Environment.ProcessorCount > 1 ? [1, 2] : [1];
        long bufferBytes = MemoryBandwidth.DefaultBufferBytes;
        int repetitions = 5;
        string? model = null;
        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{option} needs a value.");
            switch (option)
            {
                case "--threads": threadCounts = Value().Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--size-mib": bufferBytes = long.Parse(Value(), CultureInfo.InvariantCulture) << 20; break;
                case "--repetitions": repetitions = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--model": model = Value(); break;
                default:
                    Console.Error.WriteLine($"error: unknown option '{option}'. Usage: {Name} [--threads 1,2] [--size-mib 1024] [--repetitions 5] [--model FILE]");
                    return 1;
            }
        }

        long weightBytes = 0;
        if (model is not null)
        {
            using var file = GgufFile.Open(model);
            weightBytes = WeightBytesPerToken(file);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model}: {weightBytes / 1e9:F3} GB of weights read per generated token"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory read bandwidth ({bufferBytes >> 20} MiB buffer, sequential, best of {repetitions} passes; {Environment.ProcessorCount} processors):"));
        foreach (int threads in threadCounts)
        {
            double bytesPerSecond = MemoryBandwidth.MeasureReadBytesPerSecond(threads, bufferBytes, repetitions);
            string line = string.Create(CultureInfo.InvariantCulture, $"  {threads} thread{(threads == 1 ? " " : "s")}: {bytesPerSecond / 1e9,6:F2} GB/s");
            if (weightBytes > 0)
                line += string.Create(CultureInfo.InvariantCulture, $"   roofline {bytesPerSecond / weightBytes,7:F2} tokens/s");
            Console.WriteLine(line);
        }
        return 0;
    }

    /// <summary>
    /// Bytes of tensor data a single-token forward pass reads: every tensor once, except the token embedding, of which
    /// only the token's row is read, unless it doubles as the classifier (no <c>output.weight</c>).
    /// </summary>
    public static long WeightBytesPerToken(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        bool tiedClassifier = !file.TryGetTensor("output.weight", out _);
        long bytes = 0;
        foreach (var tensor in file.Tensors)
        {
            if (tensor.Name == "token_embd.weight" && !tiedClassifier && tensor.Dimensions.Length == 2)
                bytes += tensor.ByteLength / tensor.Dimensions[1];
            else
                bytes += tensor.ByteLength;
        }
        return bytes;
    }
}
