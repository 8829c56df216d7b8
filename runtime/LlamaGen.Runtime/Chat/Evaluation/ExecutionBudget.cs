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

    /// <summary>Python's default recursion limit, which bounds its repr, ==, &lt; and hash of nested values.</summary>
    public const int MaxValueDepth = 1000;

    [ThreadStatic]
    private static int t_valueDepth;

    /// <summary>
    /// For nested expressions: stop before the thread's stack runs out (the depth a stack allows depends on the JIT
    /// tier and the thread, so the fixed limits above are what normally stops a template).
    /// </summary>
    public static void EnsureStack()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Exceeded("the template nests too deeply for the thread's stack");
    }

    /// <summary>
    /// One level of a recursive walk over a value (printing, comparing, hashing); dispose to leave it. A fixed depth, as
    /// Python's RecursionError, and not the stack: a walk bounded only by the stack goes 100,000 levels deep once the
    /// JIT has made its frames small, and comparing nested lists is quadratic in the depth.
    /// </summary>
    public static ValueLevel EnterValue()
    {
        if (t_valueDepth >= MaxValueDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Exceeded($"a value nests too deeply to print, compare or hash (more than {MaxValueDepth} levels, Python's recursion limit)");
        t_valueDepth++;
        return default;
    }

    public readonly struct ValueLevel : IDisposable
    {
        public void Dispose() => t_valueDepth--;
    }
}
