using LlamaGen.Catalog;
using LlamaGen.Gguf;
using LlamaGen.Models;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// The catalog picks the right compiled model for the files people download (issue #15): a GGUF header with the
/// hyperparameters llama.cpp's converter writes for each family (from the models' published <c>config.json</c>:
/// training context, RoPE base, head size keys) and a vocabulary of the family's size, no tensors. A file's context may
/// exceed its spec's (Llama 3.x: 131072 in the file, 8192 compiled).
/// </summary>
public sealed class CatalogFamilyMatchingTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-families-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string, int, int, int, int, int, int, int, float, string> Families => new()
    {
        // name, embedding, blocks, heads, kv heads, ffn, vocab, training context, rope base, compiled type
        { "Llama-3.2-1B-Instruct", 2048, 16, 32, 8, 8192, 128256, 131072, 500000f, "LlamaGen.Catalog.Llama3_2_1B" },
        { "Llama-3.2-3B-Instruct", 3072, 28, 24, 8, 8192, 128256, 131072, 500000f, "LlamaGen.Catalog.Llama3_2_3B" },
        { "Meta-Llama-3.1-8B-Instruct", 4096, 32, 32, 8, 14336, 128256, 131072, 500000f, "LlamaGen.Catalog.Llama3_1_8B" },
        { "SmolLM2-135M-Instruct", 576, 30, 9, 3, 1536, 49152, 8192, 100000f, "LlamaGen.Catalog.SmolLM2_135M" },
        { "SmolLM2-360M-Instruct", 960, 32, 15, 5, 2560, 49152, 8192, 100000f, "LlamaGen.Catalog.SmolLM2_360M" },
        { "SmolLM2-1.7B-Instruct", 2048, 24, 32, 32, 8192, 49152, 8192, 130000f, "LlamaGen.Catalog.SmolLM2_1_7B" },
        { "Mistral-7B-v0.1", 4096, 32, 32, 8, 14336, 32000, 32768, 10000f, "LlamaGen.Catalog.Mistral7B_v0_1" },
        { "CodeLlama-7b-Instruct-hf", 4096, 32, 32, 32, 11008, 32016, 16384, 1000000f, "LlamaGen.Catalog.CodeLlama7B" },
        { "CodeLlama-13b-Instruct-hf", 5120, 40, 40, 40, 13824, 32016, 16384, 1000000f, "LlamaGen.Catalog.CodeLlama13B" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void TheFamilysFileMatchesItsSpec(string name, int embedding, int blocks, int heads, int kvHeads, int feedForward, int vocab,
        int context, float ropeBase, string expected)
    {
        string path = WriteHeader(name, embedding, blocks, heads, kvHeads, feedForward, vocab, context, ropeBase);
        int headSize = embedding / heads;
        using var file = GgufFile.Open(path);
        var descriptor = ModelCatalog.Match(file, CompiledModels.All);
        Assert.Equal(expected, descriptor.TypeName);
        Assert.True(descriptor.Shape.ContextLength <= context);
        Assert.Equal(headSize, descriptor.Shape.HeadDimension);
    }

    [Fact]
    public void SpecFromGgufHalvesAContextTheGeneratedCodeCannotIndex()
    {
        // Llama 3.1 8B: 32 blocks x 131072 positions x 1024 KV values is past int; 32768 is the largest half that fits.
        string path = WriteHeader("Meta-Llama-3.1-8B-Instruct", 4096, 32, 32, 8, 14336, 128256, 131072, 500000f);
        var result = CliRunner.Run("spec", "from-gguf", "--model", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"context_length\": 32768,", result.Stdout);
        Assert.Contains("context_length 131072 would need a KV cache beyond the generated code's int indexing; the spec compiles 32768 positions", result.Stderr);
        var read = Specs.SpecJsonReader.Parse(result.Stdout, "from-gguf.json");
        Assert.Equal(32768, read.ContextLength);

        var chosen = CliRunner.Run("spec", "from-gguf", "--model", path, "--context", "8192");
        Assert.Equal(0, chosen.ExitCode);
        Assert.Contains("\"context_length\": 8192,", chosen.Stdout);
        Assert.Equal("", chosen.Stderr);
        Assert.Contains("--context must be between 1 and the file's context_length 131072 (got 262144)",
            CliRunner.AssertUserError(CliRunner.Run("spec", "from-gguf", "--model", path, "--context", "262144")));
    }

    /// <summary>A tensorless GGUF with the keys llama.cpp's converter writes for a Llama-architecture model.</summary>
    private string WriteHeader(string name, int embedding, int blocks, int heads, int kvHeads, int feedForward, int vocab, int context, float ropeBase)
    {
        string path = Path.Combine(directory, name + ".gguf");
        int headSize = embedding / heads;
        using (var stream = File.Create(path))
        {
            var writer = new GgufWriter(stream);
            writer.AddMetadata("general.architecture", "llama")
                  .AddMetadata("general.name", name)
                  .AddMetadata("llama.vocab_size", (uint)vocab)
                  .AddMetadata("llama.context_length", (uint)context)
                  .AddMetadata("llama.embedding_length", (uint)embedding)
                  .AddMetadata("llama.block_count", (uint)blocks)
                  .AddMetadata("llama.feed_forward_length", (uint)feedForward)
                  .AddMetadata("llama.rope.dimension_count", (uint)headSize)
                  .AddMetadata("llama.attention.head_count", (uint)heads)
                  .AddMetadata("llama.attention.head_count_kv", (uint)kvHeads)
                  .AddMetadata("llama.attention.key_length", (uint)headSize)
                  .AddMetadata("llama.attention.value_length", (uint)headSize)
                  .AddMetadata("llama.rope.freq_base", ropeBase)
                  .AddMetadata("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                  .AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(Enumerable.Range(0, vocab).Select(i => "t" + i).ToArray()));
            writer.Finish();
        }
        return path;
    }
}
