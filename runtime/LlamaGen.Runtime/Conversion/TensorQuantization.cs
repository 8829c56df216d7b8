using LlamaGen.Quantization;

namespace LlamaGen.Conversion;

/// <summary>What the recipe decided for one tensor.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="From">Its type in the input file.</param>
/// <param name="To">Its type in the output file (equal to <paramref name="From"/> when it is copied unchanged).</param>
/// <param name="Fallback">Why <paramref name="To"/> differs from what the recipe wanted (a row length that is not a whole
/// number of blocks), or null.</param>
public sealed record TensorQuantization(string Name, GgmlType From, GgmlType To, string? Fallback = null);
