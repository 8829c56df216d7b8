namespace LlamaGen.Catalog;

/// <summary>The <c>llama2-13b</c> model, generated from <c>specs/llama2-13b.json</c>.</summary>
[LlamaModel("specs/llama2-13b.json")]
public partial class Llama2_13B;
