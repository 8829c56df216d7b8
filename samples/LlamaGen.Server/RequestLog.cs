using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary>One line per request: time, method, path, status, tokens (prompt, cached, generated) and duration.</summary>
internal sealed class RequestLog(TextWriter? writer)
{
    private readonly Lock gate = new();

    public void Write(HttpContext context, int status, RequestUsage usage, long startTimestamp)
    {
        if (writer is null) return;
        double ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        string tokens = usage.PromptTokens > 0 || usage.GeneratedTokens > 0
            ? $" prompt={usage.PromptTokens} cached={usage.CachedTokens} generated={usage.GeneratedTokens}"
            : "";
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {context.Request.Method} {context.Request.Path} {status}{tokens} {ms:F1} ms");
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
