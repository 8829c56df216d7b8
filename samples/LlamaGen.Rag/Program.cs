using System.Text;
using LlamaGen.Rag.Cli;
using LlamaGen.Rag.Composition;

namespace LlamaGen.Rag;

/// <summary>The <c>llamagen-rag</c> executable: console streams, Ctrl+C, and the model from <see cref="RagModelComposition"/>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        await using var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = false };
        await using var stderr = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
        using var cancellation = new CancellationTokenSource();
        // The first Ctrl+C stops after the batch (or answer token) in progress; a second one kills the process.
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancellation.IsCancellationRequested) return;
            e.Cancel = true;
            cancellation.Cancel();
        };
        var context = new RagCliContext(stdout, stderr, RagModelComposition.Load, InteractiveProgress: !Console.IsErrorRedirected, cancellation.Token);
        int exitCode = await RagCommandLine.RunAsync(args, context);
        await stdout.FlushAsync();
        return exitCode;
    }
}
