namespace LlamaGen.Rag.Tokens;

/// <summary>
/// Counts tokens the way the model will see them: the chunker sizes passages with it and the prompt builder fits
/// passages into the model's context with it.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Tokens in <paramref name="text"/> as a continuation (no BOS, no special-token parsing).</summary>
    int CountTokens(string text);
}
