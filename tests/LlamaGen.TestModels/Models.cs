namespace LlamaGen.TestModels;

/// <summary>stories260K (<c>specs/stories260k.json</c>): llama2.c's 260K-parameter TinyStories model.</summary>
[LlamaModel("specs/stories260k.json")]
public partial class Stories260K;

/// <summary>llama-2-tiny-random (<c>specs/llama-2-tiny-random.json</c>): Llama 2's vocabulary with a tiny random model.</summary>
[LlamaModel("specs/llama-2-tiny-random.json")]
public partial class Llama2TinyRandom;

/// <summary>
/// <c>specs/llama2-test-small.json</c>: a small Llama 2 shaped model (Llama 2 vocabulary, grouped-query attention, every
/// dimension a whole number of 32-element blocks) for tests on synthetic weights in every 32-element type.
/// </summary>
[LlamaModel("specs/llama2-test-small.json")]
public partial class Llama2TestSmall;

/// <summary><c>specs/llama2-test-k.json</c>: <see cref="Llama2TestSmall"/> with rows of whole 256-element super-blocks, for the K-quants.</summary>
[LlamaModel("specs/llama2-test-k.json")]
public partial class Llama2TestK;

/// <summary>
/// <c>Specs/llama2-7b-widths.json</c>: one block at Llama 2 7B's row lengths (4096 and 11008), so the kernel tests run
/// every type's kernels at the real shapes.
/// </summary>
[LlamaModel("Specs/llama2-7b-widths.json")]
public partial class Llama2_7BWidths;

/// <summary>
/// <c>Specs/llama3-test.json</c>: a small Llama 3 shaped model for synthetic files with llama.cpp's Llama 3 details: RoPE
/// base 500000 and frequency factors, grouped-query attention with Llama 3 8B's group of 4 and Llama 3.2 1B's head size
/// 64, a tied classifier, and GPT-2's byte-level BPE vocabulary re-keyed as Llama 3's (llama-bpe, its control tokens).
/// </summary>
[LlamaModel("Specs/llama3-test.json")]
public partial class Llama3Test;

/// <summary>
/// <c>Specs/head-size-test.json</c>: heads that are not embedding_length / head_count wide (6 query heads of 128 on a
/// 512-wide model, so attn_q is 768 x 512 and attn_output 512 x 768), as Mistral Nemo's 32 heads of 128 on 5120; the
/// Llama 2 vocabulary, RoPE base 1e6.
/// </summary>
[LlamaModel("Specs/head-size-test.json")]
public partial class HeadSizeTest;
