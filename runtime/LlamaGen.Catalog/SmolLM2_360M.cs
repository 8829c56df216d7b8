namespace LlamaGen.Catalog;

/// <summary>The <c>smollm2-360m</c> model, generated from <c>specs/smollm2-360m.json</c>.</summary>
[LlamaModel("specs/smollm2-360m.json")]
public partial class SmolLM2_360M;
