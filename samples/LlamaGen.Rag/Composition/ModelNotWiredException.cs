namespace LlamaGen.Rag.Composition;

/// <summary>The LlamaGen embedding and chat adapters are not connected to <c>llamagen-rag</c> yet (see <see cref="RagModelComposition"/>).</summary>
public sealed class ModelNotWiredException(string modelPath) : Exception(
    $"--model '{modelPath}': llamagen-rag is not wired to the LlamaGen engine yet: RagModelComposition.Load " +
    "(samples/LlamaGen.Rag/Composition/RagModelComposition.cs) must create the IEmbeddingGenerator and IChatClient adapters");
