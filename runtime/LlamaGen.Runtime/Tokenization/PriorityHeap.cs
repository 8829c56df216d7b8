using System.Buffers;

namespace LlamaGen.Tokenization;

/// <summary>
/// A binary heap over pooled storage: the merge queues of both tokenizers, ordered as llama.cpp orders its
/// <c>std::priority_queue</c>s. A struct with a static comparison, because the queue is the hot loop of encoding.
/// </summary>
internal struct PriorityHeap<T, TOrder> : IDisposable where TOrder : IHeapOrder<T>
{
    private T[] _heap;
    private int _count;

    public PriorityHeap(int capacity) => _heap = ArrayPool<T>.Shared.Rent(Math.Max(16, capacity));

    public readonly int Count => _count;

    public void Clear() => _count = 0;

    public void Enqueue(in T entry)
    {
        if (_count == _heap.Length)
        {
            T[] larger = ArrayPool<T>.Shared.Rent(_heap.Length * 2);
            _heap.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<T>.Shared.Return(_heap);
            _heap = larger;
        }
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!TOrder.Before(entry, _heap[parent]))
                break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = entry;
    }

    public bool TryDequeue(out T top)
    {
        if (_count == 0)
        {
            top = default!;
            return false;
        }
        top = _heap[0];
        T last = _heap[--_count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count)
                break;
            if (child + 1 < _count && TOrder.Before(_heap[child + 1], _heap[child]))
                child++;
            if (!TOrder.Before(_heap[child], last))
                break;
            _heap[i] = _heap[child];
            i = child;
        }
        if (_count > 0)
            _heap[i] = last;
        return true;
    }

    public void Dispose()
    {
        if (_heap is not null)
            ArrayPool<T>.Shared.Return(_heap);
        _heap = null!;
    }
}
