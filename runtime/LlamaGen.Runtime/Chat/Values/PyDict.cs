using LlamaGen.Chat.Python;

namespace LlamaGen.Chat.Values;

/// <summary>
/// A Python dict: insertion-ordered, keys compared as Python compares them (<c>1</c>, <c>1.0</c> and <c>True</c> are one
/// key; strings by code points). Templates only build dicts (the sandbox refuses mutating methods), so entries are only
/// added or replaced, never removed.
/// </summary>
internal sealed class PyDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries;
    private readonly Dictionary<Key, int> _index;

    public PyDict(int capacity = 0)
    {
        _entries = new List<KeyValuePair<object?, object?>>(capacity);
        _index = new Dictionary<Key, int>(capacity, KeyComparer.Instance);
    }

    public int Count => _entries.Count;

    public IEnumerable<object?> Keys => _entries.Select(e => e.Key);

    public IEnumerable<object?> Values => _entries.Select(e => e.Value);

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _entries;

    /// <exception cref="PythonError">The key is unhashable (a list, dict...), with Python's TypeError.</exception>
    public void Set(object? key, object? value)
    {
        var wrapped = new Key(key);
        PythonOps.EnsureHashable(key);
        if (_index.TryGetValue(wrapped, out int at))
        {
            // Python keeps the first key object and replaces the value.
            _entries[at] = new KeyValuePair<object?, object?>(_entries[at].Key, value);
            return;
        }
        _index.Add(wrapped, _entries.Count);
        _entries.Add(new KeyValuePair<object?, object?>(key, value));
    }

    /// <exception cref="PythonError">The key is unhashable.</exception>
    public bool TryGetValue(object? key, out object? value)
    {
        PythonOps.EnsureHashable(key);
        if (_index.TryGetValue(new Key(key), out int at))
        {
            value = _entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    public bool ContainsKey(object? key) => TryGetValue(key, out _);

    public PyDict Copy()
    {
        var copy = new PyDict(_entries.Count);
        foreach (var entry in _entries)
            copy.Set(entry.Key, entry.Value);
        return copy;
    }

    private readonly record struct Key(object? Value);

    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y) => PythonOps.KeyEquals(x.Value, y.Value);

        public int GetHashCode(Key key) => PythonOps.Hash(key.Value);
    }
}
