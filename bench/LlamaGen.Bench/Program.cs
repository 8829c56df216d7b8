using BenchmarkDotNet.Running;

namespace LlamaGen.Bench;

/// <summary>Entry point: <c>dotnet run -c Release --project bench/LlamaGen.Bench -- --filter *MatVec*</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
