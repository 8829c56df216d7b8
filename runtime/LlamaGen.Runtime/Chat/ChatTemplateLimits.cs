namespace LlamaGen.Chat;

/// <summary>
/// Bounds on what rendering one chat template may cost. A template comes inside a downloaded model file and is
/// untrusted: these stop a template that loops forever, recurses without end or builds enormous values, with a
/// <see cref="ChatTemplateException"/> of kind <see cref="ChatTemplateErrorKind.LimitExceeded"/>, before the memory is
/// allocated. The defaults are orders of magnitude above what real chat templates need.
/// </summary>
public sealed record ChatTemplateLimits
{
    /// <summary>The defaults: 5,000,000 steps, depth 200, 32 MiB of output, 16M characters per string, 1M items per list.</summary>
    public static ChatTemplateLimits Default { get; } = new();

    /// <summary>Evaluation steps (one per statement and expression evaluated, plus one per item a filter goes through).</summary>
    public long MaxSteps { get; init; } = 5_000_000;

    /// <summary>How deeply macro calls, recursive loops and nested syntax may nest.</summary>
    public int MaxDepth { get; init; } = 200;

    /// <summary>Bytes (UTF-8) of rendered output.</summary>
    public long MaxOutputBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Characters (UTF-16 units) in any one string the template builds, checked before it is built.</summary>
    public int MaxStringLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Items in any one list, tuple, dict or range the template builds.</summary>
    public int MaxCollectionLength { get; init; } = 1_000_000;
}
