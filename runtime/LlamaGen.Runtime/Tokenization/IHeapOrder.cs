namespace LlamaGen.Tokenization;

/// <summary>The order of a <see cref="PriorityHeap{T, TOrder}"/>, as a static method so the comparison inlines.</summary>
internal interface IHeapOrder<T>
{
    /// <summary>True when <paramref name="a"/> must come out before <paramref name="b"/>.</summary>
    static abstract bool Before(in T a, in T b);
}
