namespace LlamaGen.Inference;

/// <summary>
/// One step of a <see cref="GenerationRun"/>: the sampled token, its position, and the text that became final with
/// it. <paramref name="Text"/> may be empty (half of a UTF-8 character, or text held back because it could begin a
/// stop string) or hold more than the token's own piece (text released by this token).
/// </summary>
/// <param name="IsEndOfSequence">The token is an end-of-generation token (EOS, end of turn...) or BOS and ends the run; it is not fed to the model and its
/// <paramref name="Text"/> holds only what was still held back.</param>
public readonly record struct GeneratedToken(int Id, int Position, string Text, bool IsEndOfSequence = false);
