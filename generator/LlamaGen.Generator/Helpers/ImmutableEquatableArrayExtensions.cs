using System;
using System.Collections.Generic;

namespace LlamaGen.Generator.Helpers;

internal static class ImmutableEquatableArrayExtensions
{
    public static ImmutableEquatableArray<T> ToImmutableEquatableArray<T>(this IEnumerable<T> values) => new(values);
}
