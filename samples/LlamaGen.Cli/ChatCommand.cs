using System.CommandLine;
using System.Text;
using LlamaGen.Catalog;
using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Threading;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen chat</c>: an interactive conversation in the terminal. The reply streams to stdout as it is generated;
/// after it, one line on stderr with its tokens, tokens/s and the context used. Ctrl+C stops the reply and keeps the
/// chat; Ctrl+D (end of input) leaves. Commands: /reset, /system TEXT, /save FILE, /load FILE, /help, /exit.
/// </summary>
internal static class ChatCommand
{
    private const string Help = "commands: /reset (forget the conversation), /system TEXT (set the system prompt), /save FILE, /load FILE, /help, /exit; Ctrl+C stops a reply, Ctrl+D leaves";

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file", Required = true };
        var system = new Option<string?>("--system") { Description = "System prompt" };
        var template = new Option<string?>("--template") { Description = "Jinja chat template file to use instead of the model's tokenizer.chat_template" };
        var contextSize = new Option<int?>("--ctx-size", "-c") { Description = "Context length in tokens (default: the model's)" };
        var policy = new Option<string>("--context-policy")
        {
            Description = "When the conversation outgrows the context: error (the default), drop-oldest (leave old turns out), shift (llama.cpp's context shift)",
            DefaultValueFactory = _ => "error",
        };
        policy.AcceptOnlyFromAmong("error", "drop-oldest", "shift");
        var threads = new Option<int>("--threads", "-t") { Description = "Threads to compute with (default: one per processor)", DefaultValueFactory = _ => WorkerPool.DefaultThreadCount };
        var kvType = KvCacheOption.Create();
        var isa = IsaOption.Create();
        // A reply runs until the model ends its turn, as llama.cpp's chat does.
        var sampling = new SamplingOptions(defaultMaxTokens: -1);
        var command = new Command("chat", "Chat with a model in the terminal: replies stream as they are generated")
        {
            model, system, template, contextSize, policy, threads, kvType, isa,
        };
        foreach (Option option in sampling.All) command.Options.Add(option);

        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1) throw new CliException($"--threads must be >= 1 (got {threadCount})");
            if (parse.GetValue(contextSize) is < 2 and int size) throw new CliException($"--ctx-size must be >= 2 (got {size})");
            string path = parse.GetValue(model)!;
            Program.RequireFile(path, "model file");
            var options = new LocalModelOptions
            {
                Threads = threadCount,
                KvCacheType = KvCacheOption.Parse(parse.GetValue(kvType)),
                Isa = IsaOption.Parse(parse.GetValue(isa)),
                ContextLength = parse.GetValue(contextSize),
                ChatTemplate = ChatTemplateCommand.ReadTemplate(parse.GetValue(template)),
                Engine = new InferenceEngineOptions { MaxParallel = 1, BatchCapacity = 64, PromptChunk = 64 },
            };
            var sessionOptions = new ChatSessionOptions
            {
                OverflowPolicy = parse.GetValue(policy) switch
                {
                    "drop-oldest" => ContextOverflowPolicy.DropOldestTurns,
                    "shift" => ContextOverflowPolicy.ShiftContext,
                    _ => ContextOverflowPolicy.Error,
                },
            };
            GenerationOptions generation = sampling.Read(parse);
            using var local = LocalModel.Load(path, CompiledModels.All, options);
            foreach (string warning in local.Tokenizer.Warnings) context.Stderr.WriteLine($"warning: {path}: {warning}");
            using var session = local.CreateChatSession(sessionOptions, parse.GetValue(system));
            return new ChatLoop(context, session, generation).Run();
        });
        return command;
    }

    /// <summary>The read-reply loop.</summary>
    private sealed class ChatLoop(CliContext context, ChatSession session, GenerationOptions generation)
    {
        private readonly TextWriter stdout = context.Stdout, stderr = context.Stderr;
        private CancellationTokenSource? reply;
        private bool first;

        public int Run()
        {
            var input = new StreamReader(context.Stdin, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
            using IDisposable interrupts = context.Interrupts.Register(Interrupt);
            stderr.WriteLine($"chat with {session.Engine.Model.Shape.Name} ({session.Sequence.Capacity} tokens of context, template: {(session.Prompt.Template is null ? "Llama 2-Chat format" : "the model's")})");
            stderr.WriteLine(Help);
            while (!context.Cancellation.IsCancellationRequested)
            {
                stdout.Write("> ");
                stdout.Flush();
                string? line = ReadMessage(input);
                if (line is null)
                {
                    // Ctrl+D: end of input.
                    stdout.Write('\n');
                    stdout.Flush();
                    return 0;
                }
                if (line.Trim().Length == 0) continue;
                if (line.StartsWith('/'))
                {
                    if (!Command(line.Trim())) return 0;
                    continue;
                }
                Reply(line);
            }
            return Program.Cancelled;
        }

        /// <summary>One message: a line, or several joined where a line ends with a backslash.</summary>
        private string? ReadMessage(StreamReader input)
        {
            string? line = input.ReadLine();
            if (line is null) return null;
            var text = new StringBuilder();
            while (line.EndsWith('\\'))
            {
                text.Append(line, 0, line.Length - 1).Append('\n');
                line = input.ReadLine();
                if (line is null) return text.ToString();
            }
            return text.Append(line).ToString();
        }

        private void Interrupt()
        {
            CancellationTokenSource? current = Volatile.Read(ref reply);
            if (current is not null)
            {
                current.Cancel();
                return;
            }
            stderr.WriteLine();
            stderr.WriteLine("(Ctrl+D or /exit leaves)");
        }

        private void Reply(string message)
        {
            int before = session.Messages.Count;
            session.Add(new ChatMessage("user", message));
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            Volatile.Write(ref reply, cancellation);
            bool stopped = false;
            first = true;
            try
            {
                StreamReply(cancellation.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                stopped = true;
            }
            catch (Exception e) when (e is ContextLengthException or ChatTemplateException)
            {
                // The turn never started: the conversation stays as it was.
                session.TruncateMessages(before);
                stderr.WriteLine($"error: {Program.OneLine(e.Message)}");
                return;
            }
            finally
            {
                Volatile.Write(ref reply, null);
            }
            stdout.Write('\n');
            stdout.Flush();
            if (stopped)
            {
                stderr.WriteLine("[reply stopped]");
                return;
            }
            if (session.LastTurn is { } turn)
            {
                stderr.WriteLine($"[{turn.GeneratedTokens} tokens, {turn.TokensPerSecond:F1} tokens/s, context {turn.ContextUsed}/{turn.ContextLength}; " +
                                 $"prompt {turn.EvaluatedPromptTokens} new + {turn.CachedPromptTokens} cached{Describe(turn.StopReason)}]");
            }
        }

        private async Task StreamReply(CancellationToken cancellationToken)
        {
            await foreach (GenerationUpdate update in session.ReplyAsync(generation, cancellationToken).ConfigureAwait(false))
            {
                string text = update.Token.Text;
                // The reply's first piece carries the space the tokenizer puts before a word.
                if (first) text = text.TrimStart();
                if (text.Length == 0) continue;
                first = false;
                stdout.Write(text);
                stdout.Flush();
            }
        }

        private static string Describe(StopReason reason) => reason switch
        {
            StopReason.MaxTokens => "; --max-tokens reached",
            StopReason.ContextFull => "; the context is full (/reset, or --context-policy drop-oldest or shift)",
            StopReason.StopString => "; stop string",
            _ => "",
        };

        /// <summary>A slash command; false to leave.</summary>
        private bool Command(string line)
        {
            int space = line.IndexOf(' ');
            string name = space < 0 ? line : line[..space];
            string argument = space < 0 ? "" : line[(space + 1)..].Trim();
            try
            {
                switch (name)
                {
                    case "/exit" or "/quit":
                        return false;
                    case "/help":
                        stderr.WriteLine(Help);
                        break;
                    case "/reset":
                        session.Reset();
                        stderr.WriteLine("(conversation reset)");
                        break;
                    case "/system":
                        session.SystemPrompt = argument.Length == 0 ? null : argument;
                        stderr.WriteLine(argument.Length == 0 ? "(system prompt removed)" : "(system prompt set)");
                        break;
                    case "/save":
                        if (argument.Length == 0) throw new CliException("/save needs a file name");
                        session.Save(argument);
                        stderr.WriteLine($"(saved {session.Messages.Count} messages to {argument}{(session.Sequence.Length > 0 ? $" and its cache to {ChatSessionFile.CachePath(argument)}" : "")})");
                        break;
                    case "/load":
                        if (argument.Length == 0) throw new CliException("/load needs a file name");
                        if (!File.Exists(argument)) throw new CliException($"/load: '{argument}' not found");
                        session.Load(argument);
                        stderr.WriteLine($"(loaded {session.Messages.Count} messages, {session.Sequence.Length} cached tokens)");
                        break;
                    default:
                        stderr.WriteLine($"unknown command {name}; {Help}");
                        break;
                }
            }
            catch (Exception e) when (e is CliException or ChatSessionFileException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {Program.OneLine(e.Message)}");
            }
            return true;
        }
    }
}
