using System.Text.Json.Serialization;

namespace LlamaGen.Cli;

/// <summary>
/// Reads the <see cref="BenchReport"/> objects that both benchmark processes print (<see cref="BenchReportJson"/> writes
/// them): source-generated, snake_case names. Linked into LlamaGen.Cli.Tests, which checks that what the writer writes
/// this reads back equal, property for property.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
