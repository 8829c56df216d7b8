using System.CommandLine;
using System.Text;
using LlamaGen.Chat;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Models;
using LlamaGen.Specs;

namespace LlamaGen.Cli;

/// <summary>The <c>llamagen</c> command: generate, tokenize, info, spec from-gguf, convert llama2c.</summary>
public static class Program
{
    /// <summary>Exit code of an expected error (bad input): one <c>error:</c> line on stderr.</summary>
    public const int UserError = 1;

    /// <summary>Exit code of an unexpected exception (a bug): the exception is printed.</summary>
    public const int InternalError = 2;

    /// <summary>Exit code after Ctrl+C stopped generation (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    public static int Main(string[] args)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = false };
        using var stderr = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
        using var stdin = Console.OpenStandardInput();
        using var cancellation = new CancellationTokenSource();
        var interrupts = new CliInterrupts();

        // The first Ctrl+C stops generation between two tokens (statistics still print); a second one kills the process.
        Console.CancelKeyPress += (_, e) =>
        {
            // An interactive command (chat) takes every Ctrl+C itself.
            if (interrupts.TryInterrupt())
            {
                e.Cancel = true;
                return;
            }
            if (cancellation.IsCancellationRequested)
                return;
            e.Cancel = true;
            cancellation.Cancel();
        };

        int exitCode = Run(args, stdin, stdout, stderr, cancellation.Token, interrupts);
        stdout.Flush();
        return exitCode;
    }

    /// <summary>Runs the command line in-process with the given streams; returns the exit code.</summary>
    public static int Run(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default)
        => Run(args, stdin, stdout, stderr, cancellation, new CliInterrupts());

    internal static int Run(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, CliInterrupts interrupts)
    {
        var context = new CliContext(stdin, stdout, stderr, cancellation) { Interrupts = interrupts };
        var root = new RootCommand("LlamaGen: run Llama-family models compiled to fixed-shape C# by a source generator.")
        {
            GenerateCommand.Create(context),
            TokenizeCommand.Create(context),
            InfoCommand.Create(context),
            SpecCommand.Create(context),
            ConvertCommand.Create(context),
            SynthCommand.Create(context),
            BenchCommand.Create(context),
            QuantizeCommand.Create(context),
            PerplexityCommand.Create(context),
            ChatCommand.Create(context),
            ChatTemplateCommand.Create(context),
#if LLAMAGEN_SERVE
            ServeCommand.Create(context),
#endif
        };

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {OneLine(parsed.Errors[0].Message)}");
            return UserError;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // Errors are reported below, Ctrl+C is handled by Main: the library installs neither.
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }
        catch (ModelMismatchException e)
        {
            // The catalog's message spans lines on purpose: the file's shape, each compiled spec, how to add one.
            stdout.Flush();
            stderr.WriteLine($"error: {e.Message.TrimEnd()}");
            return UserError;
        }
        catch (Exception e) when (IsUserError(e))
        {
            stdout.Flush();
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return UserError;
        }
        catch (Exception e)
        {
            stdout.Flush();
            stderr.WriteLine($"internal error (please report it): {e}");
            return InternalError;
        }
    }

    // Exceptions that describe bad input rather than a bug: files missing or malformed, options or prompts out of
    // range (commands turn those ArgumentExceptions into CliException), a model no compiled spec matches.
    private static bool IsUserError(Exception e) => e is
        CliException or GgufFormatException or Llama2CFormatException or InvalidDataException or SpecFormatException or
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or
        NotSupportedException or DecoderFallbackException or ChatTemplateException or ChatSessionFileException;

    /// <summary>The first line of a message, without .NET's "(Parameter 'x')" suffix.</summary>
    internal static string OneLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0) message = message[..newline];
        int parameter = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter > 0 ? message[..parameter] : message;
    }

    /// <summary>Fails with a one-line error when <paramref name="path"/> does not exist.</summary>
    internal static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
            throw new CliException(Directory.Exists(path) ? $"{what} '{path}' is a directory, not a file" : $"{what} '{path}' not found");
    }
}
