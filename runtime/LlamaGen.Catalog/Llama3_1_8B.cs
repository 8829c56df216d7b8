namespace LlamaGen.Catalog;

/// <summary>The <c>llama3.1-8b</c> model, generated from <c>specs/llama3.1-8b.json</c>.</summary>
[LlamaModel("specs/llama3.1-8b.json")]
public partial class Llama3_1_8B;
