using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Models;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Compute;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// The model files the prompt, KV cache and allocation tests run on, written once per test class into a temp folder:
/// stories260K converted from llama2.c (F32) and re-encoded as Q8_0 and Q4_0 (mixed-type files: the 172-column
/// <c>ffn_down</c> stays F32), and the synthetic llama2-test-small in several weight types.
/// </summary>
public sealed class PromptModels : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-prompt-").FullName;
    private readonly Dictionary<string, string> paths = [];
    private readonly Lock gate = new();

    /// <summary>The model cases by name: "stories260K-F32", "stories260K-Q8_0", "stories260K-Q4_0", "test-small-F32", ...</summary>
    public static TheoryData<string> Names => new(
        "stories260K-F32", "stories260K-Q8_0", "stories260K-Q4_0", "test-small-F32", "test-small-F16", "test-small-Q8_0", "test-small-Q4_0");

    /// <summary>The GGUF for <paramref name="name"/>, written on first use.</summary>
    public string Path(string name)
    {
        lock (gate)
        {
            if (paths.TryGetValue(name, out string? existing)) return existing;
            string path = System.IO.Path.Combine(directory, name + ".gguf");
            (string family, GgmlType type) = Parse(name);
            if (family == "stories260K")
            {
                string f32 = System.IO.Path.Combine(directory, "stories260K-F32.gguf");
                if (!File.Exists(f32)) Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, f32);
                if (type != GgmlType.F32) QuantizedGgufCopy.Write(f32, path, type);
            }
            else
            {
                ModelShape spec = family == "test-k" ? Llama2TestK.Spec : Llama2TestSmall.Spec;
                SyntheticModelWriter.Write(spec, type, ReferenceFixtures.TinyRandomGguf, path, seed: 11);
            }
            paths[name] = path;
            return path;
        }
    }

    /// <summary>Loads <paramref name="name"/>'s generated model from <paramref name="file"/>.</summary>
    public static ILlamaModel Load(string name, GgufFile file, ModelLoadOptions options) =>
        name.StartsWith("stories260K", StringComparison.Ordinal) ? Stories260K.Load(file, options)
        : name.StartsWith("test-k", StringComparison.Ordinal) ? Llama2TestK.Load(file, options)
        : Llama2TestSmall.Load(file, options);

    /// <summary>A deterministic prompt of <paramref name="count"/> ids below <paramref name="vocabulary"/>, starting with BOS.</summary>
    public static int[] Prompt(int count, int vocabulary)
    {
        var tokens = new int[count];
        ulong state = 0x9E3779B97F4A7C15;
        tokens[0] = 1;
        for (int i = 1; i < count; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            tokens[i] = (int)(state % (ulong)(vocabulary - 3)) + 3;
        }
        return tokens;
    }

    private static (string Family, GgmlType Type) Parse(string name)
    {
        int dash = name.LastIndexOf('-');
        if (dash < 0 || !Enum.TryParse(name[(dash + 1)..], out GgmlType type))
            throw new ArgumentException($"Unknown model case '{name}' (expected stories260K-<type>, test-small-<type> or test-k-<type>).", nameof(name));
        return (name[..dash], type);
    }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { } // a still-mapped file on some platforms; the temp folder is cleaned eventually
    }
}
