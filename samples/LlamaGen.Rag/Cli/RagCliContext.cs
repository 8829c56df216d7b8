using LlamaGen.Rag.Composition;

namespace LlamaGen.Rag.Cli;

/// <summary>
/// What a command runs with. <see cref="Program.Main"/> passes the console and <see cref="RagModelComposition.Load"/>;
/// tests pass in-memory writers and a model of their own, so every command runs in-process.
/// </summary>
/// <param name="Stdout">The command's product only (answer and sources, JSON, the ingest summary).</param>
/// <param name="Stderr">Progress, warnings, errors.</param>
/// <param name="LoadModel">Turns <c>--model</c> into the model services: the composition point.</param>
/// <param name="InteractiveProgress">Draw a live progress bar (a terminal) rather than log lines (redirected output).</param>
public sealed record RagCliContext(TextWriter Stdout, TextWriter Stderr, Func<string, RagModel> LoadModel, bool InteractiveProgress, CancellationToken Cancellation);
