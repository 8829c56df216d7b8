namespace LlamaGen.Catalog;

/// <summary>The <c>codellama-34b</c> model, generated from <c>specs/codellama-34b.json</c>.</summary>
[LlamaModel("specs/codellama-34b.json")]
public partial class CodeLlama34B;
