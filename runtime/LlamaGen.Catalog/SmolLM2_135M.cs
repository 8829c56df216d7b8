namespace LlamaGen.Catalog;

/// <summary>The <c>smollm2-135m</c> model, generated from <c>specs/smollm2-135m.json</c>.</summary>
[LlamaModel("specs/smollm2-135m.json")]
public partial class SmolLM2_135M;
