using System.CommandLine;
using LlamaGen.Compute;

namespace LlamaGen.Cli;

/// <summary><c>--kv-type f32|f16</c>, shared by <c>generate</c> and <c>bench</c> (llama.cpp's <c>--cache-type-k/v</c>).</summary>
internal static class KvCacheOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--kv-type")
        {
            Description = "KV cache element type: f32 (exact, the default) or f16 (half the memory)",
            DefaultValueFactory = _ => "f32",
        };
        option.AcceptOnlyFromAmong("f32", "f16");
        return option;
    }

    public static KvCacheType Parse(string? value) => value switch
    {
        null or "f32" => KvCacheType.F32,
        "f16" => KvCacheType.F16,
        _ => throw new CliException($"--kv-type must be f32 or f16 (got {value})"),
    };
}
