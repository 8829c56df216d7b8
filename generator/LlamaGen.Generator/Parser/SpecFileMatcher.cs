using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Parser;

/// <summary>
/// Finds the additional file an attribute's spec path names. Paths are compared by suffix after normalizing
/// separators, so <c>specs/x.json</c> matches <c>C:\repo\specs\x.json</c> and <c>/repo/specs/x.json</c>.
/// </summary>
internal static class SpecFileMatcher
{
    public static SpecFile? Find(string specPath, ImmutableArray<SpecFile> files)
    {
        string wanted = Normalize(specPath);
        while (wanted.StartsWith("./", StringComparison.Ordinal) || wanted.StartsWith("../", StringComparison.Ordinal))
            wanted = wanted.Substring(wanted.IndexOf('/') + 1);
        if (wanted.Length == 0) return null;

        SpecFile? best = null;
        foreach (SpecFile file in files)
        {
            string candidate = Normalize(file.Path);
            bool matches = candidate.Equals(wanted, StringComparison.OrdinalIgnoreCase) ||
                           candidate.EndsWith("/" + wanted, StringComparison.OrdinalIgnoreCase);
            // Several matches can only differ in their directories; pick one deterministically.
            if (matches && (best is null || string.CompareOrdinal(file.Path, best.Path) < 0)) best = file;
        }
        return best;
    }

    private static string Normalize(string path) => path.Replace('\\', '/').Trim();
}
