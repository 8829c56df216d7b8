namespace LlamaGen.Chat.Values;

/// <summary>A Python slice object; it only appears in messages (<c>None has no element slice(1, None, None)</c>).</summary>
internal sealed record PySlice(object? Start, object? Stop, object? Step);
