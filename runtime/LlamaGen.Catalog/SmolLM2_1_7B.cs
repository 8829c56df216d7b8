namespace LlamaGen.Catalog;

/// <summary>The <c>smollm2-1.7b</c> model, generated from <c>specs/smollm2-1.7b.json</c>.</summary>
[LlamaModel("specs/smollm2-1.7b.json")]
public partial class SmolLM2_1_7B;
