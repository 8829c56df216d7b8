namespace LlamaGen.Catalog;

/// <summary>The <c>llama-2-tiny-random</c> model, generated from <c>specs/llama-2-tiny-random.json</c>.</summary>
[LlamaModel("specs/llama-2-tiny-random.json")]
public partial class Llama2TinyRandom;
