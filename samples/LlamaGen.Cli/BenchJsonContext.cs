using System.Text.Json.Serialization;

namespace LlamaGen.Cli;

/// <summary>Source-generated JSON for <see cref="BenchReport"/>: no reflection, so it works in the NativeAOT binary.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
