using System.Collections.Generic;
using System.Globalization;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;

namespace LlamaGen.Generator.Emitters;

/// <summary>
/// Emits <c>{Class}.Weights.g.cs</c>: the tensor slot table (llama.cpp tensor names, GGUF shapes) and the
/// fields the binder fills, with a check that every matrix's type has a kernel.
/// </summary>
internal static class WeightsEmitter
{
    // Per-block tensors in the order llama.cpp writes them; Field is the generated field, null for none.
    private static readonly (string Tensor, string Field, string Columns, string Rows)[] BlockTensors =
    {
        ("attn_norm", "attentionNorm", "EmbeddingLength", "1"),
        ("attn_q", "attentionQuery", "EmbeddingLength", "EmbeddingLength"),
        ("attn_k", "attentionKey", "EmbeddingLength", "KvDimension"),
        ("attn_v", "attentionValue", "EmbeddingLength", "KvDimension"),
        ("attn_output", "attentionOutput", "EmbeddingLength", "EmbeddingLength"),
        ("ffn_norm", "feedForwardNorm", "EmbeddingLength", "1"),
        ("ffn_gate", "feedForwardGate", "EmbeddingLength", "FeedForwardLength"),
        ("ffn_down", "feedForwardDown", "FeedForwardLength", "EmbeddingLength"),
        ("ffn_up", "feedForwardUp", "EmbeddingLength", "FeedForwardLength"),
    };

    public static string Emit(ModelTarget target, ModelSpec spec)
    {
        var plan = new ModelPlan(spec);
        string weightTensor = GeneratedFile.Models + "WeightTensor";
        string ggmlType = GeneratedFile.Quantization + "GgmlType";
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

        w.Line("// The bound tensors: views into the GGUF file's mapping, or for Q4_0/Q8_0 interleaved copies. Per-block tensors are indexed by block.");
        w.Line("private " + weightTensor + " tokenEmbedding;");
        w.Line("private " + weightTensor + " outputNorm;");
        w.Line("private " + weightTensor + " output;");
        w.Line("// Owns the repacked copies of the quantized matrices (the mapping is left to the file).");
        w.Line("private readonly " + GeneratedFile.Quantization + "InterleavedWeights interleaved = new();");
        foreach (var tensor in BlockTensors)
            w.Line("private readonly " + weightTensor + "[] " + tensor.Field + " = new " + weightTensor + "[BlockCount];");
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

        w.Line("/// <summary>Binds every slot to the file's tensors and checks each one has a kernel for its type.</summary>");
        w.Open("private void BindWeights(" + GeneratedFile.Gguf + "GgufFile file)");
        w.Line(weightTensor + "[] bound = " + GeneratedFile.Models + "TensorBinder.Bind(file, Spec, Slots);");
        w.Line("tokenEmbedding = bound[TokenEmbeddingSlot];");
        w.Open("for (int block = 0; block < BlockCount; block++)");
        w.Line("int first = FirstBlockSlot + block * SlotsPerBlock;");
        for (int i = 0; i < BlockTensors.Length; i++)
        {
            var tensor = BlockTensors[i];
            string check = tensor.Rows == "1"
                ? "RequireFloat32"
                : "RequireKernelFor" + ColumnsOf(plan, tensor.Tensor) + "Columns";
            w.Line($"{tensor.Field}[block] = {check}(file, first + {i}, bound[first + {i}]);");
        }
        w.Close();
        w.Line("outputNorm = RequireFloat32(file, OutputNormSlot, bound[OutputNormSlot]);");
        w.Line("output = RequireKernelFor" + plan.Classifier.Columns.ToString(CultureInfo.InvariantCulture) + "Columns(file, OutputSlot, bound[OutputSlot]);");
        w.Close();
        w.Line();

        w.Line("// llama.cpp always stores norm weights as F32; the forward pass reads them as floats.");
        w.Open("private static " + weightTensor + " RequireFloat32(" + GeneratedFile.Gguf + "GgufFile file, int slot, " + weightTensor + " tensor)");
        w.Line("if (tensor.Type == " + ggmlType + ".F32) return tensor;");
        w.Line("throw new global::System.IO.InvalidDataException($\"{file.Path}: tensor '{Slots[slot].Name}' has type {tensor.Type}; " +
               target.ClassName + " reads norm weights as F32.\");");
        w.Close();

        var emitted = new SortedSet<int>();
        foreach (MatrixRole role in plan.AllMatrices())
        {
            if (!emitted.Add(role.Columns)) continue;
            List<string> types = plan.TypesFor(role.Columns);
            string columns = role.Columns.ToString(CultureInfo.InvariantCulture);
            var pattern = new System.Text.StringBuilder();
            foreach (string type in types)
            {
                if (pattern.Length > 0) pattern.Append(" or ");
                pattern.Append(ggmlType).Append('.').Append(WeightTypes.EnumMember(type));
            }
            w.Line();
            w.Line($"// Rows of {columns} elements: the spec's weight types whose blocks divide {columns} have kernels.");
            w.Line("// Q4_0 and Q8_0 come back repacked into the interleaved layout their kernels read.");
            w.Open("private " + weightTensor + " RequireKernelFor" + columns + "Columns(" + GeneratedFile.Gguf + "GgufFile file, int slot, " + weightTensor + " tensor)");
            w.Line("if (tensor.Type is " + pattern + ") return interleaved.Repack(file, Slots[slot].Name, tensor);");
            w.Line("throw new global::System.IO.InvalidDataException($\"{file.Path}: tensor '{Slots[slot].Name}' has type {tensor.Type}, but " +
                   target.ClassName + " has kernels for rows of " + columns + " elements only in " + string.Join(", ", types) +
                   ". Add the type to weight_types in " + target.SpecPath.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("{", "{{").Replace("}", "}}") + " (if its block size divides " + columns + ") and rebuild.\");");
            w.Close();
        }
        w.Close();
        return GeneratedFile.Close(w, target);
    }

    private static string ColumnsOf(ModelPlan plan, string tensor)
    {
        foreach (MatrixRole role in plan.Matrices)
        {
            if (role.TensorName == tensor) return role.Columns.ToString(CultureInfo.InvariantCulture);
        }
        throw new System.InvalidOperationException("No matrix role " + tensor);
    }
}
