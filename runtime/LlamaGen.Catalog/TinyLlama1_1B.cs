namespace LlamaGen.Catalog;

/// <summary>The <c>tinyllama-1.1b</c> model, generated from <c>specs/tinyllama-1.1b.json</c>.</summary>
[LlamaModel("specs/tinyllama-1.1b.json")]
public partial class TinyLlama1_1B;
