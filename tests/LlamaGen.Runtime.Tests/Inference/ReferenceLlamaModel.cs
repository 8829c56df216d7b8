using LlamaGen.Kernels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Inference;

/// <summary>The scalar llama2.c port (<see cref="ReferenceLlama"/>) behind <see cref="ILlamaModel"/>, to run the real generation loop on an oracle model.</summary>
internal sealed class ReferenceLlamaModel(ReferenceLlamaWeights weights) : ILlamaModel
{
    private readonly ReferenceLlama model = new(weights);

    public ModelShape Shape { get; } = new("reference-stories260K", weights.Dim, weights.Layers, weights.Heads, weights.KvHeads,
        weights.HiddenDim, weights.VocabSize, weights.SeqLen, weights.RopeFreqBase, weights.RmsEpsilon, [GgmlType.F32]);

    public KernelIsa Isa => KernelIsa.Scalar;

    public void Forward(int token, int position, Span<float> logits) => model.Forward(token, position).CopyTo(logits);

    public void ForwardPrompt(ReadOnlySpan<int> tokens, int startPosition, Span<float> logits)
    {
        for (int i = 0; i < tokens.Length; i++)
            Forward(tokens[i], startPosition + i, logits);
    }

    public void Dispose() { }
}
