namespace LlamaGen.Cli;

/// <summary>
/// The streams and cancellation a command runs with. <see cref="Program.Main"/> passes the console's; tests pass
/// in-memory ones, so every command can run in-process.
/// </summary>
/// <param name="Stdin">Raw standard input: <c>tokenize</c> decodes its bytes itself so nothing is trimmed or translated.</param>
/// <param name="Stdout">The command's product only (generated text, ids, JSON); nothing else is written here.</param>
/// <param name="Stderr">Diagnostics, statistics and errors.</param>
internal sealed record CliContext(Stream Stdin, TextWriter Stdout, TextWriter Stderr, CancellationToken Cancellation)
{
    /// <summary>Where Ctrl+C goes while an interactive command wants it.</summary>
    public CliInterrupts Interrupts { get; init; } = new();
}
