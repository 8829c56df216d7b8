using LlamaGen.Kernels;
using LlamaGen.Quantization;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Inference;

/// <summary>
/// A fake model whose logits are scripted: after evaluating position p the most likely next token is
/// <c>next(p)</c>. It records every call and rejects positions outside its context, so tests can check exactly
/// what the generation loop fed it.
/// </summary>
internal sealed class ScriptedModel(Func<int, int> next, int contextLength = 512, int vocabSize = 512) : TokenByTokenModel
{
    public override ModelShape Shape { get; } = new("scripted", 8, 1, 2, 1, 16, vocabSize, contextLength, 10000f, 1e-5f, [GgmlType.F32]);

    public List<(int Token, int Position)> Fed { get; } = [];


    public ScriptedModel(IReadOnlyList<int> script, int contextLength = 512)
        : this(p => p < script.Count ? script[p] : 2, contextLength) { }

    public override void Forward(int token, int position, Span<float> logits)
    {
        Assert.InRange(position, 0, Shape.ContextLength - 1);
        // Positions are fed in order, none skipped or repeated; a later run may go back (it reuses a cached prefix).
        Assert.True(position == 0 || Fed.Exists(f => f.Position == position - 1), $"position {position} fed before position {position - 1}");
        Fed.Add((token, position));
        Write(next(position), logits);
    }

    private void Write(int favourite, Span<float> logits)
    {
        Assert.Equal(Shape.VocabSize, logits.Length);
        for (int i = 0; i < logits.Length; i++)
            logits[i] = -(i % 7); // a few ties among the rest, none as high as the favourite
        logits[favourite] = 5;
    }
}
