namespace LlamaGen.Quantization;

/// <summary>
/// One repacked matrix in a weight cache file: the slot name it was bound for, its type and shape, where its bytes lie
/// (absolute file offset, page-aligned) and the hash of its sampled pages (<see cref="WeightCacheFile.SampleHash"/>).
/// </summary>
internal readonly record struct WeightCacheEntry(string Name, GgmlType Type, long Rows, long Columns, long Offset, long Length, ulong SampleHash);
