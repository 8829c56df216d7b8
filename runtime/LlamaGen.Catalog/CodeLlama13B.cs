namespace LlamaGen.Catalog;

/// <summary>The <c>codellama-13b</c> model, generated from <c>specs/codellama-13b.json</c>.</summary>
[LlamaModel("specs/codellama-13b.json")]
public partial class CodeLlama13B;
