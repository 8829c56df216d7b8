using LlamaGen.Kernels;
using LlamaGen.Quantization;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Models;

namespace LlamaGen.Runtime.Tests.Inference;

/// <summary>The scalar llama2.c port (<see cref="ReferenceLlama"/>) behind <see cref="ILlamaModel"/>, to run the real generation loop on an oracle model.</summary>
internal sealed class ReferenceLlamaModel(ReferenceLlamaWeights weights) : TokenByTokenModel
{
    private readonly ReferenceLlama model = new(weights);

    public override ModelShape Shape { get; } = new("reference-stories260K", weights.Dim, weights.Layers, weights.Heads, weights.KvHeads,
        weights.HiddenDim, weights.VocabSize, weights.SeqLen, weights.RopeFreqBase, weights.RmsEpsilon, [GgmlType.F32]);

    public override void Forward(int token, int position, Span<float> logits) => model.Forward(token, position).CopyTo(logits);
}
