// A LlamaGen user's program: a model class from a spec, a GGUF converted from llama2.c's stories260K with the runtime,
// greedy generation from BOS. Written by .ci/package-test.sh into a folder outside the repository.
using LlamaGen;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Inference;
using LlamaGen.Sampling;
using LlamaGen.Tokenization;

string fixtures = args[0], gguf = args[1];
Llama2CConverter.Convert(Path.Combine(fixtures, "stories260K.bin"), Path.Combine(fixtures, "tok512.bin"), gguf);
using var file = GgufFile.Open(gguf);
using var model = Stories.Load(file);
var generator = new TextGenerator(model, SentencePieceTokenizer.FromGguf(file));
var options = new GenerationOptions { MaxNewTokens = 256, Sampling = SamplerOptions.Greedy };
foreach (GeneratedToken token in generator.Start("", options)) Console.Write(token.Text);

[LlamaModel("spec.json")]
public partial class Stories;
