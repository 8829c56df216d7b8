namespace LlamaGen.Bench;

/// <summary>Llama 2 7B's shapes: the bench compiles its own kernels (with the runtime-shape variants), not the CLI's catalog.</summary>
[LlamaModel("specs/llama2-7b.json")]
public partial class Llama2_7B;

/// <summary>Llama 2 13B's shapes.</summary>
[LlamaModel("specs/llama2-13b.json")]
public partial class Llama2_13B;
