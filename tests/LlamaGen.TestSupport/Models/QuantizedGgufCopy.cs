using System.Runtime.InteropServices;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Models;

/// <summary>
/// Writes a copy of an F32 GGUF model with its matrices re-encoded as another weight type (F16, BF16, Q8_0, Q4_0) by
/// the runtime's reference quantizers, as llama.cpp's <c>llama-quantize</c> would. Norm vectors stay F32, and so does
/// any matrix whose rows are not a whole number of blocks (stories260K's <c>ffn_down</c> has 172 columns),
/// which makes the copy a mixed-type model like real quantized files.
/// </summary>
public static class QuantizedGgufCopy
{
    public static void Write(string sourcePath, string outputPath, GgmlType type)
    {
        using var source = GgufFile.Open(sourcePath);
        using var stream = File.Create(outputPath);
        var writer = new GgufWriter(stream);
        foreach (var entry in source.Metadata)
            if (entry.Key != "general.file_type")
                writer.AddMetadata(entry.Key, entry.Value);
        writer.AddMetadata("general.file_type", FileType(type));

        var targetTypes = new GgmlType[source.Tensors.Count];
        for (int i = 0; i < source.Tensors.Count; i++)
        {
            var tensor = source.Tensors[i];
            if (tensor.Type != GgmlType.F32)
                throw new InvalidDataException($"{sourcePath}: tensor '{tensor.Name}' is {tensor.Type}; the copy expects an all-F32 model.");
            bool matrix = tensor.Dimensions.Length == 2 && tensor.Dimensions[1] > 1;
            targetTypes[i] = matrix && tensor.Dimensions[0] % GgmlTypeInfo.BlockSize(type) == 0 ? type : GgmlType.F32;
            writer.AddTensor(tensor.Name, tensor.Dimensions, targetTypes[i]);
        }

        for (int i = 0; i < source.Tensors.Count; i++)
        {
            var tensor = source.Tensors[i];
            ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(source.GetTensorBytes(tensor));
            int columns = checked((int)tensor.Dimensions[0]);
            var row = new byte[GgmlTypeInfo.RowBytes(targetTypes[i], columns)];
            for (int start = 0; start < values.Length; start += columns)
            {
                ReferenceQuantization.QuantizeRow(targetTypes[i], values.Slice(start, columns), row);
                writer.WriteTensorData(row);
            }
        }
        writer.Finish();
    }

    /// <summary>llama.cpp's <c>llama_ftype</c> for a model "mostly" of <paramref name="type"/> (informational only).</summary>
    private static uint FileType(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q4_0 => 2,
        GgmlType.Q8_0 => 7,
        GgmlType.BF16 => 32,
        _ => throw new NotSupportedException($"No llama_ftype mapping for {type}."),
    };
}
