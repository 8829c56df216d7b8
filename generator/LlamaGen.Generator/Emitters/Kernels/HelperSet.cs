using System;
using System.Collections.Generic;
using LlamaGen.Generator.Helpers;

namespace LlamaGen.Generator.Emitters.Kernels;

/// <summary>
/// The helpers the kernels of one ISA call, collected by name while the kernels are emitted and then written once each
/// into the ISA's helper class (as the Regex generator collects its <c>Utilities</c>). A helper depends on the weight
/// type and the ISA only, never on a shape, so every kernel of that type shares it.
/// </summary>
internal sealed class HelperSet
{
    private readonly SortedDictionary<string, Action<SourceWriter>> helpers = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="name"/> is needed; <paramref name="emit"/> writes it (first registration wins).</summary>
    public string Require(string name, Action<SourceWriter> emit)
    {
        if (!helpers.ContainsKey(name)) helpers.Add(name, emit);
        return name;
    }

    public bool IsEmpty => helpers.Count == 0;

    /// <summary>Writes every required helper, in name order, separated by blank lines.</summary>
    public void EmitAll(SourceWriter w)
    {
        foreach (KeyValuePair<string, Action<SourceWriter>> helper in helpers)
        {
            helper.Value(w);
            w.Line();
        }
    }
}
