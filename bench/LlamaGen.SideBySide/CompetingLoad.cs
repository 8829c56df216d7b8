using System.Diagnostics;

namespace LlamaGen.SideBySide;

/// <summary>
/// <c>yes &gt; /dev/null</c> running for as long as this object lives: one core kept busy by another process, the
/// condition the contended targets are measured under. Disposing ends exactly that process, by its id.
/// </summary>
internal sealed class CompetingLoad : IDisposable
{
    private readonly Process process;

    private CompetingLoad(Process process) => this.process = process;

    public int ProcessId => process.Id;

    public static CompetingLoad Start()
    {
        // `exec` replaces the shell, so the id we hold is yes's own and killing it leaves nothing behind.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec yes > /dev/null");
        var process = Process.Start(start) ?? throw new SideBySideException("--contended: could not start 'yes > /dev/null'");
        Thread.Sleep(100);
        if (process.HasExited)
            throw new SideBySideException($"--contended: 'yes > /dev/null' exited at once with code {process.ExitCode}");
        return new CompetingLoad(process);
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }
}
