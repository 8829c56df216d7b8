using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LlamaGen.TestSupport.Models;

namespace LlamaGen.Server.Tests;

/// <summary>
/// <c>llamagen serve</c> as a process of its own (the CLI under <c>dotnet</c>, as a user runs a replica), serving
/// llama-2-tiny-random with the Llama 2-Chat template under the model id the tests send. Only a process can be killed
/// the way a replica dies (SIGKILL: no shutdown, sockets reset), which is what the load balancer must survive.
/// </summary>
public sealed class ReplicaProcess : IAsyncDisposable
{
    private static readonly string Llamagen = Path.Combine(AppContext.BaseDirectory, "llamagen.dll");

    private readonly Process process;
    private readonly StringBuilder log = new();

    private ReplicaProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
        process.ErrorDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.OutputDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Port { get; }

    /// <summary>What the process wrote (its one line per request, and any error).</summary>
    public string Log
    {
        get
        {
            lock (log) return log.ToString();
        }
    }

    /// <summary>Starts the replica and waits until <c>/health</c> says it is ready.</summary>
    public static async Task<ReplicaProcess> StartAsync(string name, int parallel, int queue)
    {
        Assert.True(File.Exists(Llamagen), $"{Llamagen} is missing: the project references the CLI so its build lands here");
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet",
        [
            Llamagen, "serve", "--model", TinyChatGguf.Path, "--alias", RunningServer.ModelId, "--host", "127.0.0.1",
            "--port", port.ToString(), "--parallel", parallel.ToString(), "--queue", queue.ToString(), "--ctx-size", "512",
            "--threads", "1", "--replica-name", name,
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var replica = new ReplicaProcess(Process.Start(start)!, port);
        try
        {
            await replica.WaitReadyAsync();
            return replica;
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it was serving.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited) throw new Xunit.Sdk.XunitException($"llamagen serve exited with {process.ExitCode}:\n{Log}");
            try
            {
                using HttpResponseMessage health = await http.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, still loading.
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"llamagen serve was not ready within 60 s:\n{Log}");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
