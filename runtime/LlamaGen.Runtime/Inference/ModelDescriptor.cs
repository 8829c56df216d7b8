using LlamaGen.Gguf;

namespace LlamaGen.Inference;

/// <summary>
/// A model compiled into an assembly by the generator: its shape, the spec it came from, and how to load it
/// from a GGUF file. The generated registry lists one per <see cref="LlamaModelAttribute"/>.
/// </summary>
public sealed record ModelDescriptor(string TypeName, string SpecPath, ModelShape Shape, Func<GgufFile, ILlamaModel> Load);
