using LlamaGen.Gguf;
using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Oracle.Tests.LlamaCpp;
using LlamaGen.Quantization;
using LlamaGen.Runtime.Tests.Reference;

namespace LlamaGen.Oracle.Tests.Models;

/// <summary>
/// stories260K re-encoded as F16, Q8_0 and Q4_0 (see <see cref="QuantizedGgufCopy"/>): llama.cpp against the
/// generated <see cref="Stories260K"/> model on the very same file, greedy continuations and logits.
/// </summary>
public sealed class QuantizedStories260KOracleTests(ConvertedStories260K converted) : IClassFixture<ConvertedStories260K>
{
    private const int GreedySteps = 64;

    public static TheoryData<GgmlType, string> Cases
    {
        get
        {
            var data = new TheoryData<GgmlType, string>();
            foreach (var type in new[] { GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0 })
                foreach (string prompt in new[] { "", "Once upon a time", "The cat sat on the mat, and" })
                    data.Add(type, prompt);
            return data;
        }
    }

    /// <summary>
    /// Both sides multiply the same quantized weights by the activation quantized the same way (Q8_0 blocks for
    /// Q8_0/Q4_0 weights; F16 for F16 weights in llama.cpp), so the products agree up to float summation order and
    /// the odd activation value rounding the other way at a block boundary. See the test output for measured values.
    /// </summary>
    private static float Tolerance(GgmlType type) => type switch
    {
        GgmlType.F16 => 1e-3f,
        GgmlType.Q8_0 => 1e-3f,
        GgmlType.Q4_0 => 1e-3f,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GreedyContinuationMatchesLlamaCpp(GgmlType type, string prompt)
    {
        string path = converted.PathFor($"stories260K-{GgmlTypeInfo.Name(type)}.gguf");
        lock (converted)
            if (!File.Exists(path))
                QuantizedGgufCopy.Write(converted.GgufPath, path, type);

        using var oracle = LlamaCppOracle.Open(path);
        int[] promptIds = oracle.Tokenize(prompt, addSpecial: true, parseSpecial: false);
        var (expectedIds, expectedLogits) = oracle.Greedy(promptIds, GreedySteps);

        using var file = GgufFile.Open(path);
        using ILlamaModel model = Stories260K.Load(file);
        var logits = new float[model.Shape.VocabSize];
        model.ForwardPrompt(promptIds, 0, logits);
        float worst = 0;
        var actualIds = new int[GreedySteps];
        for (int step = 0; step < GreedySteps; step++)
        {
            float diff = LogitComparison.MaxAbsDifference(expectedLogits[step], logits);
            if (float.IsNaN(diff) || diff > worst) worst = diff;
            actualIds[step] = LogitComparison.ArgMax(logits);
            if (actualIds[step] != expectedIds[step]) break;
            model.Forward(actualIds[step], promptIds.Length + step, logits);
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{GgmlTypeInfo.Name(type)}, prompt \"{prompt}\" ({promptIds.Length} tokens), {GreedySteps} steps: max |logit difference| {worst:E2}");
        Assert.Equal(expectedIds, actualIds);
        Assert.True(worst < Tolerance(type), $"{GgmlTypeInfo.Name(type)}: logits differ from llama.cpp by {worst:E3} (tolerance {Tolerance(type):E0}).");
    }
}
