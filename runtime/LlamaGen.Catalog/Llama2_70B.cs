namespace LlamaGen.Catalog;

/// <summary>The <c>llama2-70b</c> model, generated from <c>specs/llama2-70b.json</c>.</summary>
[LlamaModel("specs/llama2-70b.json")]
public partial class Llama2_70B;
