namespace LlamaGen.Catalog;

/// <summary>The <c>llama3.2-3b</c> model, generated from <c>specs/llama3.2-3b.json</c>.</summary>
[LlamaModel("specs/llama3.2-3b.json")]
public partial class Llama3_2_3B;
