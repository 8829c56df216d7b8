namespace LlamaGen.Tokenization;

/// <summary>A piece of input after special-token partitioning: either a run of text (<see cref="TokenId"/> is -1) or one
/// special token cut out of the text.</summary>
internal readonly record struct TextFragment(int Start, int Length, int TokenId)
{
    public bool IsText => TokenId < 0;
}
