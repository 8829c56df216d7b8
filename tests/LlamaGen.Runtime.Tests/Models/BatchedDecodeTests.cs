using LlamaGen.Gguf;
using LlamaGen.Kernels;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// Many sequences on one model, decoded together: one step runs a token (or a prompt chunk) of each, one batched product
/// per weight. Every row is computed on its own (its own activation quantization, normalization, RoPE, attention over its
/// own sequence's cache; the batched kernels give each token the matrix-vector kernel's result bit for bit), so each
/// sequence's logits and cache equal what it gets decoded alone: exactly, with no tolerance, on every ISA.
/// </summary>
public sealed class BatchedDecodeTests(PromptModels models) : IClassFixture<PromptModels>
{
    public static TheoryData<string, KernelIsa> ModelsOnEveryIsa()
    {
        var data = new TheoryData<string, KernelIsa>();
        foreach (string name in new[] { "stories260K-F32", "stories260K-Q4_0", "test-small-Q8_0", "test-small-F16", "test-k-Q4_K", "test-k-Q6_K" })
            foreach (KernelIsa isa in KernelSupport.Supported)
                data.Add(name, isa);
        return data;
    }

    /// <summary>
    /// 16 sequences (6 on the scalar kernels) with prompts of different lengths, decoded in mixed steps (prompt chunks of some beside single tokens
    /// of others, sequences joining and finishing at different steps), then greedy continuations, against each run alone.
    /// </summary>
    [Theory]
    [MemberData(nameof(ModelsOnEveryIsa))]
    public void SixteenSequencesTogetherEqualEachAlone(string name, KernelIsa isa)
    {
        // The scalar kernels are the slowest by far (46 s of CI for Q4_K alone at 16 sequences): on them 6 sequences,
        // which still join at different steps with prompt chunks beside single tokens.
        int Sequences = isa == KernelIsa.Scalar ? 6 : 16;
        const int Steps = 12;
        using var file = GgufFile.Open(models.Path(name));
        using ILlamaModel model = PromptModels.Load(name, file, new ModelLoadOptions { Isa = isa });
        int vocab = model.Shape.VocabSize;
        int[][] prompts = Enumerable.Range(0, Sequences).Select(s => PromptModels.Prompt(1 + s * 7 % 45, vocab).Select(t => (t + s * 31) % vocab).ToArray()).ToArray();

        // Alone: each sequence's prompt, then greedy steps; every step's logits kept.
        var alone = new List<float[]>[Sequences];
        var aloneIds = new List<int>[Sequences];
        for (int s = 0; s < Sequences; s++)
        {
            using var decoder = new SequenceDecoder(model);
            var logits = new float[vocab];
            decoder.ForwardPrompt(prompts[s], 0, logits);
            alone[s] = [(float[])logits.Clone()];
            aloneIds[s] = [];
            for (int step = 0; step < Steps; step++)
            {
                int next = ArgMax(logits);
                aloneIds[s].Add(next);
                decoder.Forward(next, decoder.Length, logits);
                alone[s].Add((float[])logits.Clone());
            }
        }

        // Together: sequence s joins at step s / 4 with its prompt in chunks of at most 8 tokens; once its prompt is in, one
        // greedy token per step; all in one batch per step.
        var sequences = Enumerable.Range(0, Sequences).Select(_ => model.CreateSequence()).ToArray();
        using var batch = new DecodeBatch(model, capacity: Sequences * 8);
        var fed = new int[Sequences];          // prompt tokens in the cache
        var generated = new List<int>[Sequences];
        var together = new List<float[]>[Sequences];
        for (int s = 0; s < Sequences; s++) { generated[s] = []; together[s] = []; }
        var rowOf = new int[Sequences];
        for (int step = 0; together.Any(t => t.Count < Steps + 1); step++)
        {
            batch.Clear();
            Array.Fill(rowOf, -1);
            for (int s = 0; s < Sequences; s++)
            {
                if (step < s / 4 || together[s].Count == Steps + 1) continue;
                if (fed[s] < prompts[s].Length)
                {
                    int count = Math.Min(8, prompts[s].Length - fed[s]);
                    bool last = fed[s] + count == prompts[s].Length;
                    rowOf[s] = batch.Add(sequences[s], prompts[s].AsSpan(fed[s], count), last ? BatchOutput.Logits : BatchOutput.None);
                    if (!last) rowOf[s] = -1;
                    fed[s] += count;
                }
                else
                {
                    int next = ArgMax(together[s][^1]);
                    generated[s].Add(next);
                    rowOf[s] = batch.Add(sequences[s], next);
                }
            }
            batch.Decode();
            for (int s = 0; s < Sequences; s++)
                if (rowOf[s] >= 0) together[s].Add(batch.Logits(rowOf[s]).ToArray());
        }

        for (int s = 0; s < Sequences; s++)
        {
            Assert.Equal(aloneIds[s], generated[s]);
            for (int step = 0; step <= Steps; step++)
                Assert.True(alone[s][step].AsSpan().SequenceEqual(together[s][step]),
                    $"{name} on {isa}: sequence {s} step {step}: logits decoded together differ from decoded alone");
            Assert.Equal([.. prompts[s], .. generated[s]], sequences[s].Tokens.ToArray());
            sequences[s].Dispose();
        }
    }

    [Fact]
    public void ASequenceCanForkRewindAndContinue()
    {
        using var file = GgufFile.Open(models.Path("stories260K-F32"));
        using ILlamaModel model = PromptModels.Load("stories260K-F32", file, ModelLoadOptions.Default);
        int[] prompt = PromptModels.Prompt(40, model.Shape.VocabSize);
        using var original = new SequenceDecoder(model);
        var logits = new float[model.Shape.VocabSize];
        original.ForwardPrompt(prompt.AsSpan(0, 30), 0, logits);

        using Sequence fork = original.Sequence.Fork();
        Assert.Equal(original.Sequence.Tokens.ToArray(), fork.Tokens.ToArray());
        // The fork continues with other tokens; the original is untouched and continues with its own.
        using var batch = new DecodeBatch(model);
        batch.Add(fork, [7, 8, 9]);
        batch.Decode();
        float[] forkLogits = batch.Logits(batch.Count - 1).ToArray();
        batch.Clear();
        Assert.Equal(30, original.Sequence.Length);
        Assert.Equal(33, fork.Length);

        var expected = new float[model.Shape.VocabSize];
        using (var fresh = new SequenceDecoder(model))
        {
            fresh.ForwardPrompt([.. prompt.AsSpan(0, 30), 7, 8, 9], 0, expected);
        }
        Assert.Equal(expected, forkLogits);

        // Rewinding the original to 20 and feeding the prompt's tokens 20..39 gives the 40-token prompt's logits.
        original.Sequence.Rewind(20);
        original.Append(prompt.AsSpan(20), logits);
        using (var fresh = new SequenceDecoder(model))
        {
            fresh.ForwardPrompt(prompt, 0, expected);
        }
        Assert.Equal(expected, logits);
        Assert.Throws<ArgumentOutOfRangeException>(() => original.Sequence.Rewind(41));
    }

    [Fact]
    public void ASavedStateLoadsBackAndGoesOnAsTheOriginal()
    {
        using var file = GgufFile.Open(models.Path("test-small-Q4_0"));
        using ILlamaModel model = PromptModels.Load("test-small-Q4_0", file, ModelLoadOptions.Default);
        string directory = Directory.CreateTempSubdirectory("llamagen-state-").FullName;
        try
        {
            int[] prompt = PromptModels.Prompt(70, model.Shape.VocabSize);
            using var decoder = new SequenceDecoder(model);
            var logits = new float[model.Shape.VocabSize];
            decoder.ForwardPrompt(prompt, 0, logits);
            string path = Path.Combine(directory, "state.llgseq");
            decoder.Sequence.Save(path);

            using Sequence loaded = Sequence.Load(model, path);
            Assert.Equal(prompt, loaded.Tokens.ToArray());
            using var batch = new DecodeBatch(model);
            batch.Add(loaded, 42);
            batch.Decode();
            float[] fromLoaded = batch.Logits(0).ToArray();
            decoder.Forward(42, 70, logits);
            Assert.Equal(logits, fromLoaded);

            // Every damaged copy is refused, naming the file and what is wrong; nothing is loaded.
            byte[] bytes = File.ReadAllBytes(path);
            string damaged = Path.Combine(directory, "damaged.llgseq");
            File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Sequence.Load(model, damaged)).Message);
            byte[] flipped = (byte[])bytes.Clone();
            flipped[bytes.Length / 2] ^= 0x40;
            File.WriteAllBytes(damaged, flipped);
            var corrupt = Assert.Throws<InvalidDataException>(() => Sequence.Load(model, damaged));
            Assert.Contains("corrupt", corrupt.Message);
            Assert.StartsWith(damaged, corrupt.Message);
            File.WriteAllText(damaged, "not a state file at all, just text");
            Assert.Contains("not a LlamaGen sequence state file", Assert.Throws<InvalidDataException>(() => Sequence.Load(model, damaged)).Message);

            // A state saved with one model is refused by another shape.
            using var otherFile = GgufFile.Open(models.Path("stories260K-F32"));
            using ILlamaModel other = PromptModels.Load("stories260K-F32", otherFile, ModelLoadOptions.Default);
            Assert.Contains("saved for", Assert.Throws<InvalidDataException>(() => Sequence.Load(other, path)).Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// llama.cpp's context shift: keep the first tokens, drop a block after them, move the rest down and re-rotate their
    /// cached keys. Layer 0's keys and values depend only on each token and its position, so there the moved rows must be
    /// what a fresh run computes at the new positions: values exactly, keys up to the second rotation's rounding. (The
    /// later layers keep what the dropped tokens contributed, as in llama.cpp; that is the approximation a shift makes.)
    /// </summary>
    [Fact]
    public void AContextShiftReRotatesTheMovedKeysToTheirNewPositions()
    {
        using var file = GgufFile.Open(models.Path("stories260K-F32"));
        using ILlamaModel model = PromptModels.Load("stories260K-F32", file, ModelLoadOptions.Default);
        int[] tokens = PromptModels.Prompt(120, model.Shape.VocabSize);
        using var decoder = new SequenceDecoder(model, new SequenceOptions { ContextLength = 100 });
        var logits = new float[model.Shape.VocabSize];
        decoder.ForwardPrompt(tokens.AsSpan(0, 100), 0, logits);
        Assert.Equal(0, decoder.Sequence.Remaining);

        // Keep 4, drop 48 (llama.cpp: half of what follows the kept tokens).
        decoder.Sequence.Shift(keep: 4, discard: 48);
        Assert.Equal(52, decoder.Length);
        int[] kept = [.. tokens.AsSpan(0, 4), .. tokens.AsSpan(52, 48)];
        Assert.Equal(kept, decoder.Sequence.Tokens.ToArray());

        using var fresh = new SequenceDecoder(model);
        fresh.ForwardPrompt(kept, 0, logits);
        int dimension = model.Shape.HeadDimension * model.Shape.HeadCountKv;
        var shifted = new float[dimension];
        var expected = new float[dimension];
        float worst = 0;
        for (int position = 0; position < kept.Length; position++)
        {
            decoder.Sequence.Cache.ReadValue(0, position, shifted);
            fresh.Sequence.Cache.ReadValue(0, position, expected);
            Assert.Equal(expected, shifted);
            decoder.Sequence.Cache.ReadKey(0, position, shifted);
            fresh.Sequence.Cache.ReadKey(0, position, expected);
            for (int i = 0; i < dimension; i++) worst = MathF.Max(worst, MathF.Abs(shifted[i] - expected[i]) / MathF.Max(1f, MathF.Abs(expected[i])));
        }
        Assert.True(worst < 1e-5f, $"re-rotated layer-0 keys differ from fresh ones by {worst:E2} (relative)");

        // The sequence goes on from where the shift left it.
        decoder.Append(tokens.AsSpan(100, 10), logits);
        Assert.Equal(62, decoder.Length);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Sequence.Shift(keep: 60, discard: 10));
    }

    [Fact]
    public void BadUseIsAClearError()
    {
        using var file = GgufFile.Open(models.Path("stories260K-F32"));
        ILlamaModel model = PromptModels.Load("stories260K-F32", file, ModelLoadOptions.Default);
        using var batch = new DecodeBatch(model, capacity: 4);
        Sequence sequence = model.CreateSequence(new SequenceOptions { ContextLength = 3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Add(sequence, model.Shape.VocabSize));
        batch.Add(sequence, [1, 2, 3]);
        var full = Assert.Throws<InvalidOperationException>(() => batch.Add(sequence, 4));
        Assert.Contains("capacity is 3", full.Message);
        Assert.Throws<InvalidOperationException>(() => sequence.Rewind(0)); // tokens are waiting in the batch
        batch.Decode();
        Assert.Throws<InvalidOperationException>(() => batch.Add(sequence, 1)); // decoded: Clear() first
        Assert.Throws<InvalidOperationException>(() => batch.Logits(0)); // row 0 left no logits
        batch.Clear();
        sequence.Rewind(1);

        model.Dispose();
        batch.Add(sequence, 5);
        var disposed = Assert.Throws<ObjectDisposedException>(() => batch.Decode());
        Assert.Contains("disposed", disposed.Message);
        Assert.Throws<ObjectDisposedException>(() => sequence.Fork());
        Assert.Equal(1, sequence.Length); // the failed step left the sequence as it was
        sequence.Dispose();
        Assert.Throws<ObjectDisposedException>(() => batch.Add(sequence, 1));
    }

    private static int ArgMax(ReadOnlySpan<float> logits) => LlamaGen.TestSupport.Reference.LogitComparison.ArgMax(logits.ToArray());
}
