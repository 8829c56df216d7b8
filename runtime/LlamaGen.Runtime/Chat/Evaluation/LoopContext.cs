namespace LlamaGen.Chat.Evaluation;

/// <summary>
/// The <c>loop</c> variable of a for loop: position (<c>index</c>, <c>revindex</c>, <c>first</c>, <c>last</c>...),
/// neighbours (<c>previtem</c>, <c>nextitem</c>), <c>cycle()</c>, <c>changed()</c>, <c>depth</c>, and for a
/// recursive loop, <c>loop(children)</c>. The items are read up front (jinja2 reads ahead for <c>last</c> and
/// <c>length</c> too), filtered by the loop's <c>if</c>.
/// </summary>
internal sealed class LoopContext(IReadOnlyList<object?> items, int depth0, Func<object?, int, string>? recurse)
{
    public IReadOnlyList<object?> Items { get; } = items;

    public int Index0 { get; set; } = -1;

    public int Depth0 { get; } = depth0;

    /// <summary>Renders the loop body over other items one level deeper (recursive loops only).</summary>
    public Func<object?, int, string>? Recurse { get; } = recurse;

    /// <summary>What <c>changed()</c> was last called with, or null before the first call.</summary>
    public Values.PyTuple? LastChanged { get; set; }

    public int Length => Items.Count;
}
