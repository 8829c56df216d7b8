using System.CommandLine;
using LlamaGen.Kernels;

namespace LlamaGen.Cli;

/// <summary><c>--isa scalar|vector128|neon|avx2|avx512</c>, shared by <c>generate</c>, <c>bench</c> and <c>perplexity</c>: the kernels' instruction set.</summary>
internal static class IsaOption
{
    public static Option<string?> Create()
    {
        var option = new Option<string?>("--isa")
        {
            Description = $"Kernel instruction set: scalar, vector128, neon, avx2 or avx512 (default: the best this CPU runs, {KernelSupport.Best.ToString().ToLowerInvariant()})",
        };
        option.AcceptOnlyFromAmong("scalar", "vector128", "neon", "avx2", "avx512");
        return option;
    }

    /// <summary>The ISA asked for (null: the best); one this CPU cannot run is a clear error.</summary>
    public static KernelIsa? Parse(string? value)
    {
        if (value is null) return null;
        if (!KernelSupport.TryParse(value, out KernelIsa isa))
            throw new CliException($"--isa must be scalar, vector128, neon, avx2 or avx512 (got {value})");
        if (!KernelSupport.IsSupported(isa))
            throw new CliException($"--isa {value}: this CPU cannot run {isa} kernels; it runs {string.Join(", ", KernelSupport.Supported).ToLowerInvariant()}");
        return isa;
    }
}
