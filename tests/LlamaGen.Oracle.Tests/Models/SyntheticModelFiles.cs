using System.Collections.Concurrent;
using LlamaGen.Conversion;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Specs;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// Synthetic models (<see cref="SyntheticModelWriter"/>, Llama 2 vocabulary) written once per (spec, type, seed) into a
/// temp folder and shared by the tests of a class: the F32 file every case compares against is written once, not once
/// per case.
/// </summary>
public sealed class SyntheticModelFiles : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-synth-oracle-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<string>> files = new(StringComparer.Ordinal);

    /// <summary>The path of <c>specs/{spec}</c>'s synthetic model of <paramref name="type"/>, writing it on first use.</summary>
    public string Get(string spec, SyntheticModelType type, ulong seed)
    {
        string name = $"{Path.GetFileNameWithoutExtension(spec)}-{type.Name}-{seed}.gguf";
        return files.GetOrAdd(name, n => new Lazy<string>(() =>
        {
            string path = Path.Combine(directory, n);
            SyntheticModelWriter.Write(SpecJsonReader.ReadFile(SpecPath(spec)), type, ReferenceFixtures.TinyRandomGguf, path, seed);
            return path;
        })).Value;
    }

    /// <summary><c>specs/{name}</c> in the nearest parent of the test binaries that has it.</summary>
    public static string SpecPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "specs", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Cannot find specs/{name} in any parent of {AppContext.BaseDirectory}.");
    }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
