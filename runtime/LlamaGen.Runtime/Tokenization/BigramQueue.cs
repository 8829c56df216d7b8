using System.Buffers;

namespace LlamaGen.Tokenization;

/// <summary>
/// The merge candidates of one SentencePiece encoding: a binary max-heap ordered as llama.cpp's
/// <c>llm_bigram_spm::comparator</c> orders its <c>std::priority_queue</c> (highest score first, equal scores
/// leftmost first). A struct with inlined comparisons, because the queue is the hot loop of encoding.
/// </summary>
internal struct BigramQueue : IDisposable
{
    internal readonly record struct Entry(float Score, int Left, int Right, int Length, int Id);

    private Entry[] _heap;
    private int _count;

    public BigramQueue(int capacity) => _heap = ArrayPool<Entry>.Shared.Rent(Math.Max(16, capacity));

    public void Enqueue(in Entry entry)
    {
        if (_count == _heap.Length)
        {
            Entry[] larger = ArrayPool<Entry>.Shared.Rent(_heap.Length * 2);
            _heap.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<Entry>.Shared.Return(_heap);
            _heap = larger;
        }
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Before(entry, _heap[parent]))
                break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = entry;
    }

    public bool TryDequeue(out Entry top)
    {
        if (_count == 0)
        {
            top = default;
            return false;
        }
        top = _heap[0];
        Entry last = _heap[--_count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count)
                break;
            if (child + 1 < _count && Before(_heap[child + 1], _heap[child]))
                child++;
            if (!Before(_heap[child], last))
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
            ArrayPool<Entry>.Shared.Return(_heap);
        _heap = null!;
    }

    // True when a should be merged before b.
    private static bool Before(in Entry a, in Entry b) =>
        a.Score > b.Score || (a.Score == b.Score && a.Left < b.Left);
}
