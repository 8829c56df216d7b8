using LlamaGen.Conversion;
using LlamaGen.Quantization;

namespace LlamaGen.Runtime.Tests.Conversion;

/// <summary>
/// <see cref="QuantizationRecipe"/> on Llama 2 7B's 291 tensors (32 layers, dim 4096, ffn 11008, vocab 32000, untied
/// output), against llama.cpp's rules as written in src/llama-quant.cpp. The expected types below are evaluated by
/// hand from those rules (quoted at each use), not taken from our output.
/// </summary>
public class QuantizationRecipeTests
{
    private static readonly RecipeModel Llama2_7B = new("llama", BlockCount: 32, HeadCount: 32, HeadCountKv: 32);

    // use_more_bits(i, 32) = i < 32/8 || i >= 7*32/8 || (i - 32/8) % 3 == 2  (llama_tensor_get_type_impl)
    //                      = i < 4 || i >= 28 || (i - 4) % 3 == 2
    private static readonly int[] MoreBitsLayers = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31];

    /// <summary>Llama 2 7B's tensors as convert_hf_to_gguf.py writes them (F16 matrices, F32 norms).</summary>
    private static List<RecipeTensor> Llama2_7BTensors()
    {
        var tensors = new List<RecipeTensor> { new("token_embd.weight", [4096, 32000], GgmlType.F16) };
        for (int i = 0; i < 32; i++)
        {
            tensors.Add(new($"blk.{i}.attn_norm.weight", [4096], GgmlType.F32));
            tensors.Add(new($"blk.{i}.attn_q.weight", [4096, 4096], GgmlType.F16));
            tensors.Add(new($"blk.{i}.attn_k.weight", [4096, 4096], GgmlType.F16));
            tensors.Add(new($"blk.{i}.attn_v.weight", [4096, 4096], GgmlType.F16));
            tensors.Add(new($"blk.{i}.attn_output.weight", [4096, 4096], GgmlType.F16));
            tensors.Add(new($"blk.{i}.ffn_norm.weight", [4096], GgmlType.F32));
            tensors.Add(new($"blk.{i}.ffn_gate.weight", [4096, 11008], GgmlType.F16));
            tensors.Add(new($"blk.{i}.ffn_down.weight", [11008, 4096], GgmlType.F16));
            tensors.Add(new($"blk.{i}.ffn_up.weight", [4096, 11008], GgmlType.F16));
        }
        tensors.Add(new("output_norm.weight", [4096], GgmlType.F32));
        tensors.Add(new("output.weight", [4096, 32000], GgmlType.F16));
        return tensors;
    }

    [Fact]
    public void UseMoreBitsPicksTheFirstAndLastEighthAndEveryThirdLayer()
    {
        Assert.Equal(MoreBitsLayers, Enumerable.Range(0, 32).Where(i => QuantizationRecipe.UseMoreBits(i, 32)));
    }

    [Theory]
    [InlineData("q4_k_m", GgmlType.Q4_K)]
    [InlineData("q5_k_m", GgmlType.Q5_K)]
    public void MediumKQuantMixGivesAttnVAndFfnDownQ6_KInTheUseMoreBitsLayers(string name, GgmlType baseType)
    {
        Assert.True(QuantizationRecipe.TryParse(name, out var fileType));
        var tensors = Llama2_7BTensors();
        var plan = QuantizationRecipe.Plan(fileType, Llama2_7B, tensors);
        for (int i = 0; i < tensors.Count; i++)
        {
            string tensor = tensors[i].Name;
            GgmlType expected;
            if (tensors[i].Dimensions.Length == 1)
                expected = GgmlType.F32;                        // tensor_allows_quantization: "quantize only 2D and 3D tensors"
            else if (tensor == "output.weight")
                expected = GgmlType.Q6_K;                       // OUTPUT: "else if (new_type != GGML_TYPE_Q8_0) new_type = GGML_TYPE_Q6_K"
            else if (tensor == "token_embd.weight")
                expected = baseType;                            // untied TOKEN_EMBD: only IQ/TQ types change it
            else if (tensor.EndsWith("attn_v.weight") || tensor.EndsWith("ffn_down.weight"))
                // attn_v: "(ftype == Q4_K_M || ftype == Q5_K_M) && use_more_bits(qs.i_attention_wv, qs.n_attention_wv)" -> Q6_K
                // ffn_down: Q4_K_M "if (use_more_bits(i_layer, n_layer)) new_type = GGML_TYPE_Q6_K";
                //           Q5_K_M "else if (ftype == LLAMA_FTYPE_MOSTLY_Q5_K_M && use_more_bits(i_layer, n_layer)) new_type = GGML_TYPE_Q6_K"
                expected = MoreBitsLayers.Contains(Layer(tensor)) ? GgmlType.Q6_K : baseType;
            else
                expected = baseType;                            // attn_q/k/output, ffn_gate/up: no rule for these types
            Assert.True(expected == plan[i].To, $"{name} {tensor}: expected {expected}, recipe gave {plan[i].To}");
            Assert.Null(plan[i].Fallback);                      // 4096 and 11008 are multiples of 256
        }
        Assert.Equal(16, plan.Count(p => p.Name.EndsWith("attn_v.weight") && p.To == GgmlType.Q6_K));
        Assert.Equal(16, plan.Count(p => p.Name.EndsWith("ffn_down.weight") && p.To == GgmlType.Q6_K));
    }

    [Theory]
    [InlineData("q4_0", GgmlType.Q4_0)]
    [InlineData("q6_k", GgmlType.Q6_K)]
    [InlineData("q8_0", GgmlType.Q8_0)]
    public void SingleTypeFilesQuantizeEveryMatrixAndGiveTheOutputQ6_K(string name, GgmlType baseType)
    {
        Assert.True(QuantizationRecipe.TryParse(name, out var fileType));
        var tensors = Llama2_7BTensors();
        var plan = QuantizationRecipe.Plan(fileType, Llama2_7B, tensors);
        for (int i = 0; i < tensors.Count; i++)
        {
            GgmlType expected = tensors[i].Dimensions.Length == 1 ? GgmlType.F32
                // OUTPUT: Q6_K unless the file is Q8_0 ("else if (new_type != GGML_TYPE_Q8_0)")
                : tensors[i].Name == "output.weight" ? (baseType == GgmlType.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K)
                : baseType;
            Assert.True(expected == plan[i].To, $"{name} {tensors[i].Name}: expected {expected}, recipe gave {plan[i].To}");
        }
    }

    [Fact]
    public void FileTypeNamesAndNumbersAreLlamaCpps()
    {
        // tools/quantize/quantize.cpp QUANT_OPTIONS and include/llama.h llama_ftype.
        (string Name, uint FileType)[] expected =
        [
            ("q4_0", 2), ("q4_1", 3), ("q8_0", 7), ("q5_0", 8), ("q5_1", 9), ("q2_k", 10), ("q3_k_s", 11), ("q3_k_m", 12),
            ("q3_k", 12), ("q3_k_l", 13), ("q4_k_s", 14), ("q4_k_m", 15), ("q4_k", 15), ("q5_k_s", 16), ("q5_k_m", 17),
            ("q5_k", 17), ("q6_k", 18), ("f16", 1), ("f32", 0), ("Q4_K_M", 15),
        ];
        foreach (var (name, number) in expected)
        {
            Assert.True(QuantizationRecipe.TryParse(name, out var fileType), name);
            Assert.Equal(number, (uint)fileType);
        }
        Assert.False(QuantizationRecipe.TryParse("q4_k_x", out _));
        Assert.False(QuantizationRecipe.TryParse("iq2_xxs", out _));
    }

    [Fact]
    public void KQuantsFallBackByLlamaCppsTableWhenRowsAreNotAMultipleOf256()
    {
        // tensor_type_fallback: Q2_K/Q3_K -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0; F16 if that does not fit either.
        var model = new RecipeModel("llama", 1, 8, 8);
        RecipeTensor[] tensors =
        [
            new("blk.0.attn_q.weight", [64, 64], GgmlType.F32),
            new("blk.0.ffn_down.weight", [172, 64], GgmlType.F32),
            new("output.weight", [64, 512], GgmlType.F32),
        ];
        (string Type, GgmlType Fits32, GgmlType Output)[] cases =
        [
            ("q3_k_s", GgmlType.Q4_0, GgmlType.Q8_0), ("q4_k_s", GgmlType.Q5_0, GgmlType.Q8_0),
            ("q5_k_s", GgmlType.Q5_1, GgmlType.Q8_0), ("q6_k", GgmlType.Q8_0, GgmlType.Q8_0),
        ];
        foreach (var (type, fits32, output) in cases)
        {
            Assert.True(QuantizationRecipe.TryParse(type, out var fileType));
            var plan = QuantizationRecipe.Plan(fileType, model, tensors);
            Assert.Equal(fits32, plan[0].To);
            Assert.NotNull(plan[0].Fallback);
            Assert.Equal(GgmlType.F16, plan[1].To); // 172 is not a multiple of 32 either
            // OUTPUT: "nx % qk_k != 0" with qk_k the k-quant's 256 -> Q8_0, which fits 64.
            Assert.Equal(output, plan[2].To);
        }
    }

    [Fact]
    public void TiedEmbeddingsAreQuantizedLikeTheOutputTensor()
    {
        // "for arches that share the same tensor between the token embeddings and the output, we quantize the token
        // embeddings with the quantization of the output tensor" (has_tied_embeddings: no output.weight in the file)
        var model = new RecipeModel("llama", 1, 8, 8);
        RecipeTensor[] tied = [new("token_embd.weight", [256, 1000], GgmlType.F32), new("blk.0.attn_q.weight", [256, 256], GgmlType.F32)];
        Assert.Equal(GgmlType.Q6_K, QuantizationRecipe.Plan(LlamaFileType.MostlyQ4_0, model, tied)[0].To);
        RecipeTensor[] untied = [.. tied, new("output.weight", [256, 1000], GgmlType.F32)];
        Assert.Equal(GgmlType.Q4_0, QuantizationRecipe.Plan(LlamaFileType.MostlyQ4_0, model, untied)[0].To);
    }

    [Fact]
    public void CountersFollowTheLoadersOrderNotTheFilesOrder()
    {
        // llama.cpp visits tensors sorted by block number (weight_name_comparer), so i_attention_wv is the layer even
        // when a file lists its layers in another order.
        var tensors = Llama2_7BTensors();
        var shuffled = tensors.OrderBy(t => t.Name.GetHashCode(StringComparison.Ordinal) ^ 0x5bd1e995).ToList();
        var expected = QuantizationRecipe.Plan(LlamaFileType.MostlyQ4_K_M, Llama2_7B, tensors).ToDictionary(p => p.Name, p => p.To);
        foreach (var p in QuantizationRecipe.Plan(LlamaFileType.MostlyQ4_K_M, Llama2_7B, shuffled))
            Assert.Equal(expected[p.Name], p.To);
    }

    [Fact]
    public void Llama70BGivesAttnVQ5_KWhereTheMixWouldGiveQ4_K()
    {
        // "if (qs.model.type == LLM_TYPE_70B) { ... if (new_type == GGML_TYPE_Q3_K || new_type == GGML_TYPE_Q4_K) new_type = GGML_TYPE_Q5_K; }"
        var model = new RecipeModel("llama", BlockCount: 80, HeadCount: 64, HeadCountKv: 8);
        var tensors = Enumerable.Range(0, 80).Select(i => new RecipeTensor($"blk.{i}.attn_v.weight", [8192, 1024], GgmlType.F16)).ToList();
        tensors.Add(new("output.weight", [8192, 32000], GgmlType.F16));
        var plan = QuantizationRecipe.Plan(LlamaFileType.MostlyQ4_K_M, model, tensors);
        for (int i = 0; i < 80; i++)
            Assert.Equal(QuantizationRecipe.UseMoreBits(i, 80) ? GgmlType.Q6_K : GgmlType.Q5_K, plan[i].To);
    }

    [Fact]
    public void PureGivesEveryMatrixTheDefaultType()
    {
        var plan = QuantizationRecipe.Plan(LlamaFileType.MostlyQ4_K_M, Llama2_7B, Llama2_7BTensors(), pure: true);
        Assert.All(plan.Where(p => !p.Name.EndsWith("norm.weight")), p => Assert.Equal(GgmlType.Q4_K, p.To));
    }

    private static int Layer(string name) => int.Parse(name.Split('.')[1]);
}
