using BenchmarkDotNet.Running;

namespace LlamaGen.Bench;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/LlamaGen.Bench -- --filter *MatVec*</c> runs BenchmarkDotNet;
/// plain subcommands (<c>bandwidth</c>) run before it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == MemoryBandwidthCommand.Name) return MemoryBandwidthCommand.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
