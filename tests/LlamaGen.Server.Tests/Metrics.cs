using System.Globalization;

namespace LlamaGen.Server.Tests;

/// <summary>Reads Prometheus' text format: a sample line is "name value".</summary>
public static class Metrics
{
    public static double Value(string text, string name)
    {
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name + " ", StringComparison.Ordinal)) continue;
            return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }
        throw new Xunit.Sdk.XunitException($"metric {name} not in:\n{text}");
    }
}
