namespace LlamaGen.Catalog;

/// <summary>The <c>llama2-7b</c> model, generated from <c>specs/llama2-7b.json</c>.</summary>
[LlamaModel("specs/llama2-7b.json")]
public partial class Llama2_7B;
