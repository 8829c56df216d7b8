using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Models;

/// <summary>
/// Binds a generated model's weight slots to the tensors of a GGUF file: finds each tensor by name (or its fallback),
/// checks its dimensions and element type against the slot and the spec, and returns pointers into the mapping.
/// </summary>
public static class TensorBinder
{
    /// <summary>
    /// Returns one <see cref="WeightTensor"/> per slot, in slot order. Throws <see cref="ModelMismatchException"/>
    /// naming the file, the tensor and the first mismatch. The pointers live as long as <paramref name="file"/>.
    /// </summary>
    public static WeightTensor[] Bind(GgufFile file, ModelShape shape, IReadOnlyList<TensorSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(slots);

        var bound = new WeightTensor[slots.Count];
        for (int i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            var tensor = Find(file, slot);
            CheckDimensions(file, slot, tensor);
            CheckType(file, shape, slot, tensor);

            long rowBytes = GgmlTypeInfo.RowBytes(tensor.Type, slot.Columns);
            // GgufFile checked that ByteLength bytes lie inside the file; with the dimensions equal this is the same range.
            if (rowBytes * slot.Rows != tensor.ByteLength)
                throw Mismatch(file, tensor.Name, $"holds {tensor.ByteLength} bytes, expected {slot.Rows} rows of {rowBytes}");
            bound[i] = new WeightTensor(file.GetTensorPointer(tensor), tensor.Type, slot.Rows, slot.Columns, rowBytes);
        }
        return bound;
    }

    private static GgufTensorInfo Find(GgufFile file, TensorSlot slot)
    {
        if (file.TryGetTensor(slot.Name, out var tensor)) return tensor;
        if (slot.FallbackName is { } fallback && file.TryGetTensor(fallback, out tensor)) return tensor;
        string alternative = slot.FallbackName is null ? "" : $" (nor its fallback '{slot.FallbackName}')";
        throw Mismatch(file, slot.Name, $"is missing{alternative}; the file has {file.Tensors.Count} tensors" +
                                        (file.Tensors.Count > 0 ? $", e.g. '{file.Tensors[0].Name}'" : ""));
    }

    /// <summary>GGUF order: ne[0] is the row length (columns), ne[1] the rows; vectors are 1-D.</summary>
    private static void CheckDimensions(GgufFile file, TensorSlot slot, GgufTensorInfo tensor)
    {
        var ne = tensor.Dimensions;
        string expected = slot.Rows == 1 ? $"[{slot.Columns}]" : $"[{slot.Columns}, {slot.Rows}]";
        bool vector = slot.Rows == 1;
        bool ok = vector
            ? ne.Length == 1 && ne[0] == slot.Columns
            : ne.Length == 2 && ne[0] == slot.Columns && ne[1] == slot.Rows;
        if (ok) return;

        string first = ne.Length != (vector ? 1 : 2) ? $"it has {ne.Length} dimensions"
            : ne[0] != slot.Columns ? $"ne[0] (row length) is {ne[0]}, expected {slot.Columns}"
            : $"ne[1] (rows) is {ne[1]}, expected {slot.Rows}";
        throw Mismatch(file, tensor.Name, $"has shape {tensor.ShapeText}, expected {expected}: {first}");
    }

    private static void CheckType(GgufFile file, ModelShape shape, TensorSlot slot, GgufTensorInfo tensor)
    {
        if (slot.Rows == 1)
        {
            // Norm weights: llama.cpp always writes them as F32 and the forward pass reads them as floats.
            if (tensor.Type != GgmlType.F32)
                throw Mismatch(file, tensor.Name, $"has type {GgmlTypeInfo.Name(tensor.Type)}; vectors (norm weights) must be f32");
            return;
        }
        if (!shape.WeightTypes.Contains(tensor.Type))
            throw Mismatch(file, tensor.Name,
                $"has type {GgmlTypeInfo.Name(tensor.Type)}, but the spec '{shape.Name}' compiles kernels only for " +
                $"{string.Join(", ", shape.WeightTypes.Select(GgmlTypeInfo.Name))}; add \"{GgmlTypeInfo.Name(tensor.Type)}\" to weight_types in the spec and rebuild");
    }

    private static ModelMismatchException Mismatch(GgufFile file, string tensor, string problem) =>
        new(file.Path, tensor, $"{file.Path}: tensor '{tensor}' {problem}.");
}
