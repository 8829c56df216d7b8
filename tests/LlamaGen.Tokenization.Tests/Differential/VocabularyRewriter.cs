using LlamaGen.Gguf;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// Writes vocabulary-only GGUF files derived from a fixture (same keys, some set, replaced or removed) into a temporary
/// folder, for llama.cpp and for us to load: the way to get a vocabulary with any pre-tokenizer, BOS flag or special
/// token. The folder is deleted on <see cref="Dispose"/>.
/// </summary>
public sealed class VocabularyRewriter : IDisposable
{
    public VocabularyRewriter()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"llamagen-vocab-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>A copy of <paramref name="source"/>'s metadata with each key in <paramref name="changes"/> set to its value
    /// (added at the end when new) or removed (a null value); no tensors.</summary>
    public string Write(string source, string name, IReadOnlyDictionary<string, GgufValue?> changes)
    {
        string path = Path.Combine(Directory, name + ".gguf");
        using (var file = GgufFile.Open(source))
        using (var stream = File.Create(path))
        {
            var writer = new GgufWriter(stream, alignment: file.Alignment);
            foreach (GgufMetadata entry in file.Metadata)
            {
                if (entry.Key == "general.alignment")
                    continue;
                if (changes.TryGetValue(entry.Key, out GgufValue? replacement))
                {
                    if (replacement is not null)
                        writer.AddMetadata(entry.Key, replacement);
                }
                else
                {
                    writer.AddMetadata(entry.Key, entry.Value);
                }
            }
            foreach (var (key, value) in changes)
            {
                if (value is not null && !file.ContainsKey(key))
                    writer.AddMetadata(key, value);
            }
            writer.Finish();
        }
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
