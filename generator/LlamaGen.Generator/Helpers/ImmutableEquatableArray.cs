using System;
using System.Collections;
using System.Collections.Generic;

namespace LlamaGen.Generator.Helpers;

/// <summary>
/// An immutable array compared by its elements, so records that hold one stay value-equatable and the
/// incremental pipeline can tell an unchanged model from a changed one.
/// </summary>
internal sealed class ImmutableEquatableArray<T> : IEquatable<ImmutableEquatableArray<T>>, IReadOnlyList<T>
{
    public static ImmutableEquatableArray<T> Empty { get; } = new(Array.Empty<T>());

    private readonly T[] values;

    public ImmutableEquatableArray(IEnumerable<T> values) => this.values = new List<T>(values).ToArray();

    public T this[int index] => values[index];

    public int Count => values.Length;

    public bool Equals(ImmutableEquatableArray<T>? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (values.Length != other.values.Length) return false;
        for (int i = 0; i < values.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(values[i], other.values[i])) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is ImmutableEquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T value in values) hash = unchecked(hash * 31 + (value is null ? 0 : value.GetHashCode()));
        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => values.GetEnumerator();
}
