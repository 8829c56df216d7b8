using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Evaluation;

/// <summary>Counts what a render spends against its <see cref="ChatTemplateLimits"/> and stops it when one is reached.</summary>
internal sealed class ExecutionBudget(ChatTemplateLimits limits, CancellationToken cancellation)
{
    private long _steps;

    public ChatTemplateLimits Limits { get; } = limits;

    public int Depth { get; private set; }

    public void Step(long count = 1)
    {
        _steps += count;
        if (_steps > Limits.MaxSteps)
            throw Exceeded($"the template ran for more than {Limits.MaxSteps:N0} steps (ChatTemplateLimits.MaxSteps); it may loop without end");
        if ((_steps & 0xFFF) == 0 && cancellation.IsCancellationRequested)
            throw Exceeded("rendering was cancelled");
    }

    public void Enter()
    {
        if (++Depth > Limits.MaxDepth)
        {
            Depth--;
            throw Exceeded($"macro calls and recursive loops nest deeper than {Limits.MaxDepth} (ChatTemplateLimits.MaxDepth); the template may recurse without end");
        }
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Depth--;
            throw Exceeded("the template nests too deeply for the thread's stack");
        }
    }

    public void Leave() => Depth--;

    /// <summary>Refuses a string of <paramref name="length"/> characters before it is built.</summary>
    public void CheckString(long length)
    {
        if (length > Limits.MaxStringLength)
            throw Exceeded($"the template builds a string of {length:N0} characters, more than {Limits.MaxStringLength:N0} (ChatTemplateLimits.MaxStringLength)");
    }

    /// <summary>Refuses a collection of <paramref name="count"/> items before it is built.</summary>
    public void CheckCollection(long count)
    {
        if (count > Limits.MaxCollectionLength)
            throw Exceeded($"the template builds a collection of {count:N0} items, more than {Limits.MaxCollectionLength:N0} (ChatTemplateLimits.MaxCollectionLength)");
    }

    public static PythonError Exceeded(string message) => new(ChatTemplateErrorKind.LimitExceeded, message);

    /// <summary>For the recursive walks over values (printing, comparing, hashing): a value nested so deeply that the
    /// walk would exhaust the stack is refused, as Python raises RecursionError.</summary>
    public static void EnsureStack()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Exceeded("a value nests too deeply to print, compare or hash");
    }
}
