namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's <c>sorted(items, key=..., reverse=...)</c>: stable, ordered by <c>&lt;</c> alone (so a TypeError from
/// comparing mixed types surfaces as in Python), equal items keeping their order in either direction.
/// </summary>
internal static class PythonSort
{
    public static void Sort<T>(List<T> items, Func<T, object?> key, bool reverse)
    {
        if (items.Count < 2)
            return;
        var keys = items.Select(key).ToArray();
        var order = Enumerable.Range(0, items.Count).ToArray();
        var buffer = new int[order.Length];
        // Python reverses, sorts stably and reverses back, so equal items keep their original order either way.
        Func<int, int, bool> before = reverse
            ? (a, b) => PythonOps.Less(keys[b], keys[a])
            : (a, b) => PythonOps.Less(keys[a], keys[b]);
        MergeSort(order, buffer, 0, order.Length, before);
        var sorted = order.Select(i => items[i]).ToList();
        items.Clear();
        items.AddRange(sorted);
    }

    private static void MergeSort(int[] order, int[] buffer, int start, int end, Func<int, int, bool> before)
    {
        if (end - start < 2)
            return;
        int middle = (start + end) / 2;
        MergeSort(order, buffer, start, middle, before);
        MergeSort(order, buffer, middle, end, before);
        int left = start, right = middle, target = start;
        while (left < middle && right < end)
            buffer[target++] = before(order[right], order[left]) ? order[right++] : order[left++];
        while (left < middle)
            buffer[target++] = order[left++];
        while (right < end)
            buffer[target++] = order[right++];
        Array.Copy(buffer, start, order, start, end - start);
    }
}
