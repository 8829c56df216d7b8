using System.CommandLine;
using LlamaGen.Rag.Composition;
using LlamaGen.Rag.Documents;
using LlamaGen.Rag.Storage;

namespace LlamaGen.Rag.Cli;

/// <summary>The <c>llamagen-rag</c> command line: <c>ingest</c> and <c>ask</c>, errors as one <c>error:</c> line.</summary>
public static class RagCommandLine
{
    /// <summary>Bad input (missing file, foreign store, other model, no documents): one <c>error:</c> line, nothing changed.</summary>
    public const int UserError = 1;

    /// <summary>An unexpected exception (a bug): printed whole.</summary>
    public const int InternalError = 2;

    /// <summary>Ingest finished but skipped files it could not read (each named in a warning).</summary>
    public const int CompletedWithWarnings = 3;

    /// <summary>Ctrl+C (128 + SIGINT).</summary>
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(string[] args, RagCliContext context)
    {
        var root = new RootCommand("llamagen-rag: retrieval-augmented generation over your documents with a LlamaGen model")
        {
            IngestCommand.Create(context),
            AskCommand.Create(context),
        };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            context.Stderr.WriteLine($"error: {OneLine(parsed.Errors[0].Message)}");
            return UserError;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Stdout,
                Error = context.Stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, context.Cancellation);
        }
        catch (Exception e) when (IsUserError(e))
        {
            context.Stdout.Flush();
            context.Stderr.WriteLine($"error: {OneLine(e.Message)}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            context.Stderr.WriteLine("interrupted");
            return Cancelled;
        }
        catch (Exception e)
        {
            context.Stdout.Flush();
            context.Stderr.WriteLine($"internal error (please report it): {e}");
            return InternalError;
        }
    }

    /// <summary>Runs an options record's validation, turning its argument exception into a one-line user error.</summary>
    internal static void Validate(Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CliUserException(OneLine(e.Message));
        }
    }

    private static bool IsUserError(Exception e) => e is
        CliUserException or RagInputException or StoreFormatException or StoreModelMismatchException or
        DocumentReadException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or
        LlamaGen.Models.ModelMismatchException or LlamaGen.Gguf.GgufFormatException or LlamaGen.Inference.ContextLengthException or
        LlamaGen.Chat.ChatTemplateException or InvalidDataException;

    internal static string OneLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0) message = message[..newline];
        int parameter = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter > 0 ? message[..parameter] : message;
    }
}
