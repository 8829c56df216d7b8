namespace LlamaGen.Chat.Values;

/// <summary>A Python <c>range</c>: lazy, with a length, indexable and sliceable.</summary>
internal sealed class PyRange
{
    public PyRange(long start, long stop, long step)
    {
        Start = start;
        Stop = stop;
        Step = step;
        if (step > 0)
            Length = start < stop ? (long)(((Int128)stop - start - 1) / step + 1) : 0;
        else
            Length = start > stop ? (long)(((Int128)start - stop - 1) / -(Int128)step + 1) : 0;
    }

    public long Start { get; }

    public long Stop { get; }

    public long Step { get; }

    public long Length { get; }

    public long this[long index] => Start + index * Step;
}
