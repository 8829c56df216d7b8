namespace LlamaGen.Catalog;

/// <summary>
/// The <c>llama2-test-k</c> model, generated from <c>specs/llama2-test-k.json</c>: <see cref="Llama2TestSmall"/> with every
/// row a whole number of 256-element super-blocks, so synthetic weights of every K-quant type (and the Q4_K_M mix) can
/// be compared with llama.cpp.
/// </summary>
[LlamaModel("specs/llama2-test-k.json")]
public partial class Llama2TestK;
