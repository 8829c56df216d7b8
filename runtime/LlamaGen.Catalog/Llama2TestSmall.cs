namespace LlamaGen.Catalog;

/// <summary>
/// The <c>llama2-test-small</c> model, generated from <c>specs/llama2-test-small.json</c>: a small Llama 2 shaped model
/// (Llama 2 vocabulary, grouped-query attention, every dimension a whole number of quantization blocks) for tests on
/// synthetic weights in every supported type, against llama.cpp.
/// </summary>
[LlamaModel("specs/llama2-test-small.json")]
public partial class Llama2TestSmall;
