namespace LlamaGen.Catalog;

/// <summary>The <c>codellama-7b</c> model, generated from <c>specs/codellama-7b.json</c>.</summary>
[LlamaModel("specs/codellama-7b.json")]
public partial class CodeLlama7B;
