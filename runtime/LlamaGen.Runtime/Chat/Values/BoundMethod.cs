namespace LlamaGen.Chat.Values;

/// <summary>A method looked up on a value (<c>'a b'.split</c>, <c>message.items</c>, <c>loop.cycle</c>), called later.</summary>
internal sealed class BoundMethod(object? receiver, string name)
{
    public object? Receiver { get; } = receiver;

    public string Name { get; } = name;
}
