using System.Text;
using LlamaGen.Rag.Cli;
using LlamaGen.Rag.TestDoubles;

// TESTS ONLY: llamagen-rag with the test-double model (see TestModels).
var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8);
await using var stderr = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
var context = new RagCliContext(stdout, stderr, path => TestModels.Load(path), InteractiveProgress: !Console.IsErrorRedirected, CancellationToken.None);
int exitCode = await RagCommandLine.RunAsync(args, context);
await stdout.FlushAsync();
return exitCode;
