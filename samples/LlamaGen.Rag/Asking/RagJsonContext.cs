using System.Text.Json.Serialization;

namespace LlamaGen.Rag.Asking;

/// <summary>Source-generated JSON for the command's output (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(AskJsonOutput))]
public sealed partial class RagJsonContext : JsonSerializerContext;
