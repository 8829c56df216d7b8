namespace LlamaGen.Catalog;

/// <summary>The <c>stories260k</c> model, generated from <c>specs/stories260k.json</c>.</summary>
[LlamaModel("specs/stories260k.json")]
public partial class Stories260K;
