using LlamaGen.Quantization;

namespace LlamaGen.Conversion;

/// <summary>
/// llama.cpp's choice of a type for every tensor of a model being quantized to a <see cref="LlamaFileType"/>, ported
/// from src/llama-quant.cpp (<c>tensor_allows_quantization</c>, <c>llama_tensor_get_type</c>,
/// <c>llama_tensor_get_type_impl</c>, <c>tensor_type_fallback</c>, <c>llama_ftype_get_default_type</c>) for the file
/// types LlamaGen writes, without an importance matrix and without per-tensor overrides:
/// <list type="bullet">
/// <item>Only 2-D (and 3-D) tensors whose name ends in <c>weight</c> are quantized, never norms, expert routers or
/// the small special tensors llama.cpp lists; everything else is copied unchanged (norms stay F32).</item>
/// <item><c>output.weight</c> — or <c>token_embd.weight</c> when the model has no <c>output.weight</c> (tied
/// embeddings) — becomes Q6_K, or Q8_0 when its rows are not a whole number of the default type's blocks; a Q8_0
/// model keeps Q8_0 there.</item>
/// <item>The mixes add bits where quantization hurts most, e.g. Q4_K_M/Q5_K_M give <c>attn_v</c> and
/// <c>ffn_down</c> Q6_K in the layers <see cref="UseMoreBits"/> picks.</item>
/// <item>A row length that is not a whole number of the chosen type's blocks falls back: Q2_K, Q3_K → Q4_0;
/// Q4_K → Q5_0; Q5_K → Q5_1; Q6_K → Q8_0; then F16 if even that does not fit.</item>
/// </list>
/// One deliberate difference: where llama.cpp has no fallback and refuses the model (a legacy type such as Q4_0 or
/// Q8_0 on rows that are not a multiple of 32, e.g. stories260K's 172-wide <c>ffn_down</c>), the tensor is written as
/// F16, llama.cpp's own last resort, and the plan says so.
/// </summary>
public static class QuantizationRecipe
{
    /// <summary>GGML_QNT_VERSION, which llama.cpp records as <c>general.quantization_version</c>.</summary>
    public const uint QuantizationVersion = 2;

    // llama-quantize's names (tools/quantize/quantize.cpp, QUANT_OPTIONS), lower case; "q3_k", "q4_k" and "q5_k" are
    // its aliases for the _M mixes.
    private static readonly (string Name, LlamaFileType Type)[] Names =
    [
        ("q4_0", LlamaFileType.MostlyQ4_0), ("q4_1", LlamaFileType.MostlyQ4_1),
        ("q5_0", LlamaFileType.MostlyQ5_0), ("q5_1", LlamaFileType.MostlyQ5_1),
        ("q8_0", LlamaFileType.MostlyQ8_0),
        ("q2_k", LlamaFileType.MostlyQ2_K),
        ("q3_k", LlamaFileType.MostlyQ3_K_M), ("q3_k_s", LlamaFileType.MostlyQ3_K_S),
        ("q3_k_m", LlamaFileType.MostlyQ3_K_M), ("q3_k_l", LlamaFileType.MostlyQ3_K_L),
        ("q4_k", LlamaFileType.MostlyQ4_K_M), ("q4_k_s", LlamaFileType.MostlyQ4_K_S), ("q4_k_m", LlamaFileType.MostlyQ4_K_M),
        ("q5_k", LlamaFileType.MostlyQ5_K_M), ("q5_k_s", LlamaFileType.MostlyQ5_K_S), ("q5_k_m", LlamaFileType.MostlyQ5_K_M),
        ("q6_k", LlamaFileType.MostlyQ6_K),
        ("f16", LlamaFileType.MostlyF16), ("f32", LlamaFileType.AllF32),
    ];

    /// <summary>The names <see cref="TryParse"/> accepts, as llama-quantize spells them (lower case).</summary>
    public static IReadOnlyList<string> TypeNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>Parses a llama-quantize type name (case-insensitive): <c>q4_0</c>, <c>q4_k_m</c>, <c>q4_k</c> (= q4_k_m), ...</summary>
    public static bool TryParse(string name, out LlamaFileType fileType)
    {
        foreach (var (candidate, type) in Names)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                fileType = type;
                return true;
            }
        }
        fileType = default;
        return false;
    }

    /// <summary>The canonical name of a file type (<c>q4_k_m</c>, not the alias <c>q4_k</c>).</summary>
    public static string Name(LlamaFileType fileType) => fileType switch
    {
        LlamaFileType.MostlyQ3_K_M => "q3_k_m",
        LlamaFileType.MostlyQ4_K_M => "q4_k_m",
        LlamaFileType.MostlyQ5_K_M => "q5_k_m",
        _ => Names.First(n => n.Type == fileType).Name,
    };

    /// <summary><c>llama_ftype_get_default_type</c>: the type of the tensors no rule singles out.</summary>
    public static GgmlType DefaultType(LlamaFileType fileType) => fileType switch
    {
        LlamaFileType.AllF32 => GgmlType.F32,
        LlamaFileType.MostlyF16 => GgmlType.F16,
        LlamaFileType.MostlyQ4_0 => GgmlType.Q4_0,
        LlamaFileType.MostlyQ4_1 => GgmlType.Q4_1,
        LlamaFileType.MostlyQ5_0 => GgmlType.Q5_0,
        LlamaFileType.MostlyQ5_1 => GgmlType.Q5_1,
        LlamaFileType.MostlyQ8_0 => GgmlType.Q8_0,
        LlamaFileType.MostlyQ2_K => GgmlType.Q2_K,
        LlamaFileType.MostlyQ3_K_S or LlamaFileType.MostlyQ3_K_M or LlamaFileType.MostlyQ3_K_L => GgmlType.Q3_K,
        LlamaFileType.MostlyQ4_K_S or LlamaFileType.MostlyQ4_K_M => GgmlType.Q4_K,
        LlamaFileType.MostlyQ5_K_S or LlamaFileType.MostlyQ5_K_M => GgmlType.Q5_K,
        LlamaFileType.MostlyQ6_K => GgmlType.Q6_K,
        _ => throw new ArgumentOutOfRangeException(nameof(fileType), fileType, "Not a file type LlamaGen can write."),
    };

    /// <summary>
    /// llama.cpp's <c>use_more_bits</c> lambda: the first and last eighth of the layers, and every third layer in between.
    /// </summary>
    public static bool UseMoreBits(int layer, int layerCount) =>
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - layerCount / 8) % 3 == 2;

    /// <summary>
    /// The type of every tensor, in the order given. <paramref name="pure"/> is llama-quantize's <c>--pure</c>: every
    /// quantizable tensor gets the default type (row-length fallbacks still apply).
    /// </summary>
    public static TensorQuantization[] Plan(LlamaFileType fileType, RecipeModel model, IReadOnlyList<RecipeTensor> tensors, bool pure = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tensors);
        GgmlType defaultType = DefaultType(fileType);
        var state = new State(model, fileType);

        // init_quantize_state_counters: attn_v-like tensors are counted over the whole model, ffn_* per layer; the
        // embeddings are tied when there is no output.weight.
        foreach (var tensor in tensors)
        {
            var category = CategoryOf(tensor.Name);
            if (IsAttentionVLike(category)) state.AttentionVCount++;
            if (category == Category.Output) state.TiedEmbeddings = false;
        }

        // llama.cpp visits tensors in its loader's order (weight_name_comparer: by block number, non-block tensors
        // first, then by name), and the attn_v/ffn_* counters depend on that order, so the plan is made in it.
        var order = Enumerable.Range(0, tensors.Count).ToArray();
        Array.Sort(order, (a, b) => CompareLoaderOrder(tensors[a].Name, tensors[b].Name));
        var plan = new TensorQuantization[tensors.Count];
        foreach (int index in order)
        {
            var tensor = tensors[index];
            if (!AllowsQuantization(tensor))
            {
                plan[index] = new TensorQuantization(tensor.Name, tensor.Type, tensor.Type);
                continue;
            }
            GgmlType type = defaultType;
            string? fallback = null;
            // llama_tensor_get_type: the mixture rules and the fallback only run for quantized default types.
            if (IsQuantized(defaultType))
            {
                if (!pure) type = MixtureType(state, type, tensor, CategoryOf(tensor.Name));
                (type, fallback) = Fallback(tensor, type);
            }
            plan[index] = new TensorQuantization(tensor.Name, tensor.Type, type, fallback);
        }
        return plan;
    }

    private enum Category { TokenEmbedding, AttentionQ, AttentionV, AttentionK, AttentionQkv, AttentionKvB, AttentionOutput, FfnUp, FfnGate, FfnDown, Output, Other }

    private sealed class State(RecipeModel model, LlamaFileType fileType)
    {
        public RecipeModel Model { get; } = model;
        public LlamaFileType FileType { get; } = fileType;
        public int AttentionVCount;
        public int AttentionVIndex;
        public int FfnDownIndex;
        public int FfnGateIndex;
        public int FfnUpIndex;
        public bool TiedEmbeddings = true;
        public bool IsFalcon => Model.Architecture == "falcon";
    }

    /// <summary><c>tensor_get_category</c>: exact names for the embeddings, substrings for the rest, first match wins.</summary>
    private static Category CategoryOf(string name)
    {
        if (name == "output.weight") return Category.Output;
        if (name is "token_embd.weight" or "per_layer_token_embd.weight") return Category.TokenEmbedding;
        if (name.Contains("attn_qkv.weight", StringComparison.Ordinal)) return Category.AttentionQkv;
        if (name.Contains("attn_kv_b.weight", StringComparison.Ordinal)) return Category.AttentionKvB;
        if (name.Contains("attn_v.weight", StringComparison.Ordinal)) return Category.AttentionV;
        if (name.Contains("attn_k.weight", StringComparison.Ordinal)) return Category.AttentionK;
        if (name.Contains("attn_q.weight", StringComparison.Ordinal)) return Category.AttentionQ;
        if (name.Contains("attn_output.weight", StringComparison.Ordinal)) return Category.AttentionOutput;
        if (name.Contains("ffn_up", StringComparison.Ordinal)) return Category.FfnUp;
        if (name.Contains("ffn_gate", StringComparison.Ordinal)) return Category.FfnGate;
        if (name.Contains("ffn_down", StringComparison.Ordinal)) return Category.FfnDown;
        return Category.Other;
    }

    /// <summary><c>category_is_attn_v</c>: the fused QKV and MLA kv_b projections count as attn_v.</summary>
    private static bool IsAttentionVLike(Category c) => c is Category.AttentionV or Category.AttentionQkv or Category.AttentionKvB;

    // tensor_allows_quantization: substrings of tensors that stay as they are although they are 2-D weights.
    private static readonly string[] NeverQuantized =
    [
        "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
        "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
        "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight",
        "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
        "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_",
        ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
    ];

    /// <summary><c>tensor_allows_quantization</c> (with <c>quantize_output_tensor</c> on, llama-quantize's default).</summary>
    private static bool AllowsQuantization(RecipeTensor tensor)
    {
        if (tensor.DimensionCount < 2) return false; // "quantize only 2D and 3D tensors (experts)"
        string name = tensor.Name;
        if (!name.EndsWith("weight", StringComparison.Ordinal)) return false;
        if (name is "position_embd.weight" or "token_types.weight") return false; // LLM_TENSOR_POS_EMBD, LLM_TENSOR_TOKEN_TYPES
        foreach (string part in NeverQuantized)
            if (name.Contains(part, StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary><c>llama_tensor_get_type_impl</c>, restricted to the file types of <see cref="LlamaFileType"/>.</summary>
    private static GgmlType MixtureType(State qs, GgmlType type, RecipeTensor tensor, Category category)
    {
        var ftype = qs.FileType;
        var hp = qs.Model;

        // "for arches that share the same tensor between the token embeddings and the output, we quantize the token
        // embeddings with the quantization of the output tensor"
        if (category == Category.Output || (qs.TiedEmbeddings && category == Category.TokenEmbedding))
        {
            long nx = tensor.Dimensions[0];
            int qk = GgmlTypeInfo.BlockSize(type);
            if (qs.IsFalcon || nx % qk != 0) return GgmlType.Q8_0;   // arch == LLM_ARCH_FALCON || nx % qk_k != 0
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;     // else if (new_type != GGML_TYPE_Q8_0) new_type = Q6_K
        }
        if (category == Category.TokenEmbedding)
            return type; // only the IQ/TQ file types change the (untied) token embedding

        if (IsAttentionVLike(category))
        {
            if (ftype == LlamaFileType.MostlyQ2_K) type = hp.GroupedQueryFactor >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            else if (ftype == LlamaFileType.MostlyQ3_K_M) type = qs.AttentionVIndex < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            else if (ftype == LlamaFileType.MostlyQ3_K_L) type = GgmlType.Q5_K;
            else if (ftype is LlamaFileType.MostlyQ4_K_M or LlamaFileType.MostlyQ5_K_M && UseMoreBits(qs.AttentionVIndex, qs.AttentionVCount))
                type = GgmlType.Q6_K;
            else if (ftype == LlamaFileType.MostlyQ4_K_S && qs.AttentionVIndex < 4) type = GgmlType.Q5_K;
            // "In the 70B model we have 8 heads sharing the same attn_v weights": more bits for a tensor 8x smaller.
            if (hp.IsLlama70B && type is GgmlType.Q3_K or GgmlType.Q4_K) type = GgmlType.Q5_K;
            if (hp.ExpertCount == 8) type = GgmlType.Q8_0;
            qs.AttentionVIndex++;
            return type;
        }
        if (category == Category.AttentionK)
            return hp.ExpertCount == 8 ? GgmlType.Q8_0 : type;
        if (category == Category.FfnDown)
        {
            var (layer, layers) = LayerInfo(qs, qs.FfnDownIndex, tensor.Name);
            if (ftype == LlamaFileType.MostlyQ2_K) type = GgmlType.Q3_K;
            else if (ftype == LlamaFileType.MostlyQ3_K_M)
                type = layer < layers / 16 ? GgmlType.Q5_K : !qs.IsFalcon || UseMoreBits(layer, layers) ? GgmlType.Q4_K : GgmlType.Q3_K;
            else if (ftype == LlamaFileType.MostlyQ3_K_L) type = qs.IsFalcon ? GgmlType.Q4_K : GgmlType.Q5_K;
            else if (ftype == LlamaFileType.MostlyQ4_K_M)
            {
                if (qs.IsFalcon)
                    type = layer < layers / 16 ? GgmlType.Q6_K : UseMoreBits(layer, layers) ? GgmlType.Q5_K : GgmlType.Q4_K;
                else if (UseMoreBits(layer, layers))
                    type = GgmlType.Q6_K;
            }
            else if (ftype == LlamaFileType.MostlyQ5_K_M && UseMoreBits(layer, layers)) type = GgmlType.Q6_K;
            else if (ftype == LlamaFileType.MostlyQ4_K_S && !qs.IsFalcon && layer < layers / 8) type = GgmlType.Q5_K;
            qs.FfnDownIndex++;
            return type;
        }
        if (category == Category.AttentionOutput)
        {
            if (!qs.IsFalcon)
            {
                if (hp.ExpertCount == 8)
                {
                    if (ftype is LlamaFileType.MostlyQ2_K or LlamaFileType.MostlyQ3_K_S or LlamaFileType.MostlyQ3_K_M
                        or LlamaFileType.MostlyQ4_K_S or LlamaFileType.MostlyQ4_K_M)
                        type = GgmlType.Q5_K;
                }
                else if (ftype == LlamaFileType.MostlyQ2_K) type = GgmlType.Q3_K;
                else if (ftype == LlamaFileType.MostlyQ3_K_M) type = GgmlType.Q4_K;
                else if (ftype == LlamaFileType.MostlyQ3_K_L) type = GgmlType.Q5_K;
            }
            else if (ftype == LlamaFileType.MostlyQ3_K_L)
            {
                type = GgmlType.Q4_K;
            }
            return type;
        }
        // The attn_qkv branch llama.cpp has after this one is unreachable: attn_qkv counts as attn_v above.
        if (category == Category.FfnGate)
        {
            LayerInfo(qs, qs.FfnGateIndex, tensor.Name); // only IQ3_XS changes ffn_gate; the name is still checked
            qs.FfnGateIndex++;
        }
        else if (category == Category.FfnUp)
        {
            LayerInfo(qs, qs.FfnUpIndex, tensor.Name);
            qs.FfnUpIndex++;
        }
        return type;
    }

    /// <summary>
    /// <c>layer_info</c>: for dense models the layer is the running count of tensors of that kind; for mixtures of
    /// experts (whose expert tensors are not consecutive) it is parsed from the <c>blk.N.</c> name.
    /// </summary>
    private static (int Layer, int Layers) LayerInfo(State qs, int counter, string name)
    {
        int layers = qs.Model.BlockCount;
        if (Math.Max(1, qs.Model.ExpertCount) <= 1) return (counter, layers);
        int layer = BlockNumber(name);
        if (layer < 0) throw new InvalidDataException($"Failed to determine the layer of tensor '{name}' (expected a blk.N. prefix).");
        if (layer >= layers) throw new InvalidDataException($"Tensor '{name}' is in layer {layer}, but the model has {layers} layers.");
        return (layer, layers);
    }

    /// <summary><c>tensor_type_fallback</c>, plus F16 where llama.cpp has no fallback and gives up.</summary>
    private static (GgmlType Type, string? Why) Fallback(RecipeTensor tensor, GgmlType target)
    {
        long columns = tensor.Dimensions[0];
        int block = GgmlTypeInfo.BlockSize(target);
        if (columns % block == 0) return (target, null);
        GgmlType? replacement = target switch
        {
            GgmlType.Q2_K or GgmlType.Q3_K => GgmlType.Q4_0,
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            GgmlType.Q6_K => GgmlType.Q8_0,
            _ => null, // llama.cpp: "no tensor type fallback is defined for type ..."
        };
        string why = $"rows of {columns} are not a whole number of {GgmlTypeInfo.Name(target)} blocks of {block}";
        if (replacement is { } r && columns % GgmlTypeInfo.BlockSize(r) == 0) return (r, why);
        return (GgmlType.F16, replacement is null ? why + " (llama.cpp has no fallback for it and refuses)" : why);
    }

    private static bool IsQuantized(GgmlType type) => type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16);

    /// <summary>The loader's <c>weight_name_comparer</c>: by block number (non-block tensors are −1), then by name (bytewise).</summary>
    private static int CompareLoaderOrder(string a, string b)
    {
        int la = BlockNumber(a), lb = BlockNumber(b);
        return la != lb ? la.CompareTo(lb) : string.CompareOrdinal(a, b);
    }

    /// <summary><c>sscanf(name, "blk.%d.", &amp;layer)</c>: the N of a <c>blk.N.</c> prefix, or −1.</summary>
    private static int BlockNumber(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal)) return -1;
        int i = 4, value = 0, digits = 0;
        while (i < name.Length && char.IsAsciiDigit(name[i]) && digits < 9)
        {
            value = value * 10 + (name[i] - '0');
            i++;
            digits++;
        }
        return digits > 0 ? value : -1;
    }
}
