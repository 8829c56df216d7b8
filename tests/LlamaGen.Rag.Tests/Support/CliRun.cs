using LlamaGen.Rag.Cli;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.TestDoubles;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>Runs <c>llamagen-rag</c> in-process with the test-double model (or another loader) and captures its output.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(params string[] args) => await RunAsync(path => TestModels.Load(path), args);

    public static async Task<CliRun> RunAsync(Func<string, RagModel> loadModel, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await RagCommandLine.RunAsync(args, new RagCliContext(stdout, stderr, loadModel, InteractiveProgress: false, CancellationToken.None));
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
