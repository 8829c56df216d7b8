namespace LlamaGen.Server.Tests;

/// <summary>One server per test class (4 slots, a 512-token context, no API key).</summary>
public sealed class SharedServer : IAsyncLifetime
{
    private RunningServer? running;

    public RunningServer Running => running ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => running = await RunningServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (running is not null) await running.DisposeAsync();
    }
}
