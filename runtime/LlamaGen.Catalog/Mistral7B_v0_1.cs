namespace LlamaGen.Catalog;

/// <summary>The <c>mistral-7b-v0.1</c> model, generated from <c>specs/mistral-7b-v0.1.json</c>.</summary>
[LlamaModel("specs/mistral-7b-v0.1.json")]
public partial class Mistral7B_v0_1;
