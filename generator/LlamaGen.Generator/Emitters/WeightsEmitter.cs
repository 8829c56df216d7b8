using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <summary>
/// Emits <c>{Class}.Weights.g.cs</c>: the tensor slot table (llama.cpp tensor names, GGUF shapes) and the fields the
/// binder fills, each matrix bound to the kernels of its type for the model's ISA.
/// </summary>
internal static class WeightsEmitter
{
    // Per-block tensors in the order llama.cpp writes them: the norm vectors and the matrices.
    private static readonly (string Tensor, string Field, string Columns, string Rows)[] BlockTensors =
    {
        ("attn_norm", "attentionNorm", "EmbeddingLength", "1"),
        ("attn_q", "attentionQuery", "EmbeddingLength", "QueryDimension"),
        ("attn_k", "attentionKey", "EmbeddingLength", "KvDimension"),
        ("attn_v", "attentionValue", "EmbeddingLength", "KvDimension"),
        ("attn_output", "attentionOutput", "QueryDimension", "EmbeddingLength"),
        ("ffn_norm", "feedForwardNorm", "EmbeddingLength", "1"),
        ("ffn_gate", "feedForwardGate", "EmbeddingLength", "FeedForwardLength"),
        ("ffn_down", "feedForwardDown", "FeedForwardLength", "EmbeddingLength"),
        ("ffn_up", "feedForwardUp", "EmbeddingLength", "FeedForwardLength"),
    };

    public static string Emit(ModelTarget target, ModelPlan plan)
    {
        string weightTensor = GeneratedFile.Models + "WeightTensor";
        string boundMatrix = GeneratedFile.Models + "BoundMatrix";
        SourceWriter w = GeneratedFile.Open(target, target.SpecPath);
        w.Open(GeneratedFile.ClassHeader(target));

        w.Line("// Indices into Slots: the token embedding, SlotsPerBlock tensors per block, the output norm, the classifier.");
        w.Line("private const int TokenEmbeddingSlot = 0;");
        w.Line("private const int FirstBlockSlot = 1;");
        w.Line("private const int SlotsPerBlock = " + BlockTensors.Length + ";");
        w.Line("private const int OutputNormSlot = FirstBlockSlot + BlockCount * SlotsPerBlock;");
        w.Line("private const int OutputSlot = OutputNormSlot + 1;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The tensors this model binds, by llama.cpp name and GGUF shape (columns = ne[0], rows = ne[1]), in the order");
        w.Line("/// llama.cpp writes them. <c>output.weight</c> falls back to <c>token_embd.weight</c> (tied classifier).");
        w.Line("/// </summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<" + GeneratedFile.Models + "TensorSlot> Slots { get; } = CreateSlots();");
        w.Line();

        w.Line("// The bound tensors: vectors are views into the GGUF file's mapping; matrices carry their kernels (quantized ones are");
        w.Line("// repacked copies in the layout their kernels read). Per-block tensors are indexed by block.");
        w.Line("private " + weightTensor + " tokenEmbedding;");
        w.Line("private " + weightTensor + " outputNorm;");
        w.Line("private " + boundMatrix + " output;");
        w.Line("// Owns the repacked copies of the quantized matrices (the mapping is left to the file).");
        w.Line("private readonly " + GeneratedFile.Quantization + "InterleavedWeights interleaved = new();");
        foreach (var tensor in BlockTensors)
        {
            string type = tensor.Rows == "1" ? weightTensor : boundMatrix;
            w.Line("private readonly " + type + "[] " + tensor.Field + " = new " + type + "[BlockCount];");
        }
        w.Line();

        w.Open("private static " + GeneratedFile.Models + "TensorSlot[] CreateSlots()");
        w.Line("var slots = new " + GeneratedFile.Models + "TensorSlot[OutputSlot + 1];");
        w.Line("slots[TokenEmbeddingSlot] = new(\"token_embd.weight\", EmbeddingLength, VocabSize);");
        w.Open("for (int block = 0; block < BlockCount; block++)");
        w.Line("int first = FirstBlockSlot + block * SlotsPerBlock;");
        w.Line("string prefix = \"blk.\" + block.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".\";");
        for (int i = 0; i < BlockTensors.Length; i++)
        {
            var tensor = BlockTensors[i];
            w.Line($"slots[first + {i}] = new(prefix + \"{tensor.Tensor}.weight\", {tensor.Columns}, {tensor.Rows});");
        }
        w.Close();
        w.Line("slots[OutputNormSlot] = new(\"output_norm.weight\", EmbeddingLength, 1);");
        w.Line("slots[OutputSlot] = new(\"output.weight\", EmbeddingLength, VocabSize, FallbackName: \"token_embd.weight\");");
        w.Line("return slots;");
        w.Close();
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// Binds every slot to the file's tensors (TensorBinder checks names, shapes and types: norms f32, matrices of the");
        w.Line("/// spec's weight types) and each matrix to its kernels for <paramref name=\"isa\"/>.");
        w.Line("/// </summary>");
        w.Open("private void BindWeights(" + GeneratedFile.Gguf + "GgufFile file, " + GeneratedFile.Kernels + "KernelIsa isa)");
        w.Line(weightTensor + "[] bound = " + GeneratedFile.Models + "TensorBinder.Bind(file, Spec, Slots);");
        w.Line("tokenEmbedding = bound[TokenEmbeddingSlot];");
        w.Open("for (int block = 0; block < BlockCount; block++)");
        w.Line("int first = FirstBlockSlot + block * SlotsPerBlock;");
        for (int i = 0; i < BlockTensors.Length; i++)
        {
            var tensor = BlockTensors[i];
            w.Line(tensor.Rows == "1"
                ? $"{tensor.Field}[block] = bound[first + {i}];"
                : $"{tensor.Field}[block] = BindMatrix(file, first + {i}, bound[first + {i}], isa);");
        }
        w.Close();
        w.Line("outputNorm = bound[OutputNormSlot];");
        w.Line("output = BindMatrix(file, OutputSlot, bound[OutputSlot], isa);");
        w.Close();
        w.Line();

        w.Line("// The kernels of the matrix's type and row length for the ISA (the spec's types all have them), and the weights in");
        w.Line("// the layout those kernels read: quantized matrices are repacked into interleaved groups of 8 rows.");
        w.Open("private " + boundMatrix + " BindMatrix(" + GeneratedFile.Gguf + "GgufFile file, int slot, " + weightTensor + " tensor, " + GeneratedFile.Kernels + "KernelIsa isa)");
        w.Line(GeneratedFile.Kernels + "MatrixKernels kernels = global::LlamaGen.Generated.KernelTable.Get(isa, tensor.Type, (int)tensor.Columns);");
        w.Line("if (kernels.IsEmpty)");
        w.Line("    throw new global::System.InvalidOperationException($\"LlamaGen compiled no {isa} kernel for {tensor.Type} rows of {tensor.Columns} (tensor '{Slots[slot].Name}').\");");
        w.Line("return new " + boundMatrix + "(interleaved.Repack(file, Slots[slot].Name, tensor), kernels);");
        w.Close();
        w.Close();
        return GeneratedFile.Close(w, target);
    }
}
