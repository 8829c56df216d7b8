using LlamaGen.Gguf;

namespace LlamaGen.Inference;

/// <summary>
/// A model compiled into an assembly by the generator: its shape, the spec it came from, and how to load it
/// from a GGUF file. The generated registry lists one per <see cref="LlamaModelAttribute"/>.
/// </summary>
public sealed record ModelDescriptor(string TypeName, string SpecPath, ModelShape Shape, Func<GgufFile, WorkerPool?, ILlamaModel> Factory)
{
    /// <summary>
    /// Loads the model from <paramref name="file"/> (which must stay open while the model is used). With a
    /// <paramref name="pool"/>, the large matrix products are split over its threads; the caller owns and disposes it.
    /// </summary>
    public ILlamaModel Load(GgufFile file, WorkerPool? pool = null) => Factory(file, pool);
}
