namespace LlamaGen.Cli;

/// <summary>
/// Ctrl+C for interactive commands: while a handler is registered, each Ctrl+C goes to it (<c>chat</c> stops the reply
/// and stays) instead of cancelling the command.
/// </summary>
internal sealed class CliInterrupts
{
    private Action? handler;

    /// <summary>Routes Ctrl+C to <paramref name="onInterrupt"/> until the registration is disposed.</summary>
    public IDisposable Register(Action onInterrupt)
    {
        Volatile.Write(ref handler, onInterrupt);
        return new Registration(this);
    }

    /// <summary>Called for a Ctrl+C: true when a handler took it.</summary>
    public bool TryInterrupt()
    {
        Action? current = Volatile.Read(ref handler);
        if (current is null) return false;
        current();
        return true;
    }

    private sealed class Registration(CliInterrupts owner) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref owner.handler, null);
    }
}
