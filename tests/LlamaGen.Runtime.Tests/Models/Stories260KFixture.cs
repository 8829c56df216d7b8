using LlamaGen.Conversion;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// Shared by the stories260K model tests: the checkpoint converted to GGUF once in a temp folder, and the scalar
/// reference's greedy sequence and per-position logits computed once from the original llama2.c checkpoint.
/// </summary>
public sealed class Stories260KFixture : IDisposable
{
    private readonly string directory;

    public Stories260KFixture()
    {
        directory = Path.Combine(Path.GetTempPath(), $"llamagen-stories260k-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        GgufPath = Path.Combine(directory, "stories260K.gguf");
        Llama2CConverter.Convert(ReferenceFixtures.Stories260KModel, ReferenceFixtures.Stories260KTokenizer, GgufPath);

        Golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
        ReferenceWeights = ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel);
        Tokenizer = Llama2CTokenizer.Load(ReferenceFixtures.Stories260KTokenizer, ReferenceWeights.VocabSize);

        var reference = new ReferenceLlama(ReferenceWeights);
        GreedyIds = Golden.GreedyIds((token, pos) => reference.Forward(token, pos));

        // BOS followed by the greedy ids: the tokens fed at positions 0..n-1 during the golden run.
        Sequence = [1, .. GreedyIds];
        reference = new ReferenceLlama(ReferenceWeights);
        ReferenceLogits = Sequence.Select((token, pos) => reference.Forward(token, pos).ToArray()).ToArray();
    }

    public string GgufPath { get; }
    public GoldenOutput Golden { get; }
    public ReferenceLlamaWeights ReferenceWeights { get; }
    public Llama2CTokenizer Tokenizer { get; }
    public List<int> GreedyIds { get; }
    public int[] Sequence { get; }
    /// <summary>The reference logits after each token of <see cref="Sequence"/>.</summary>
    public float[][] ReferenceLogits { get; }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { } // a still-mapped file on some platforms; the temp folder is cleaned eventually
    }
}
