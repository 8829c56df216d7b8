namespace LlamaGen.Generator.Model;

/// <summary>
/// One kind of weight matrix in a Llama block (or the classifier): its GGUF tensor suffix, the field holding it
/// in the generated class, and its product shape (<see cref="Rows"/> outputs of <see cref="Columns"/> inputs).
/// </summary>
internal sealed record MatrixRole(string TensorName, string Field, int Rows, int Columns);
