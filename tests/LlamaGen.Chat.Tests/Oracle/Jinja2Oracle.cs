using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Tests.Oracle;

/// <summary>
/// Python's jinja2, configured as Hugging Face's <c>apply_chat_template</c> configures it (<c>jinja2_oracle.py</c>),
/// rendering a whole batch of cases in one python3 process. A missing python3 or jinja2 fails the test with what to do.
/// </summary>
public static class Jinja2Oracle
{
    private static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Oracle", "jinja2_oracle.py");

    public static IReadOnlyList<OracleResult> Render(IReadOnlyList<OracleCase> cases)
    {
        var request = new JsonObject
        {
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["template"] = c.Template,
                ["variables"] = c.Variables.DeepClone(),
                ["now"] = c.Now,
            }).ToArray()),
        };
        // The default encoder escapes everything outside ASCII, so the pipe carries plain ASCII either way.
        string input = request.ToJsonString();

        var start = new ProcessStartInfo("python3", [ScriptPath])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.ASCII,
            StandardErrorEncoding = Encoding.UTF8,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException(
                "The chat-template tests compare with Python's jinja2, but python3 could not be started " +
                $"({e.Message}). Install python3 and jinja2 (.ci/deps.sh does it with apt-get).", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // python3 exited before reading its input: its stderr below says why.
            }
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the jinja2 oracle did not finish within 5 minutes");
            }
            string output = stdout.Result;
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"The jinja2 oracle failed (exit code {process.ExitCode}): {output} {stderr.Result}. " +
                    "The chat-template tests need python3 with jinja2 3.1 (run .ci/deps.sh).");
            JsonNode response = JsonNode.Parse(output)!;
            var results = response["results"]!.AsArray().Select(r => new OracleResult(
                r!["ok"]!.GetValue<bool>(),
                r["output"]?.GetValue<string>(),
                r["type"]?.GetValue<string>(),
                r["message"]?.GetValue<string>(),
                r["lineno"] is JsonValue line ? line.GetValue<int>() : null)).ToList();
            if (results.Count != cases.Count)
                throw new InvalidOperationException($"the jinja2 oracle answered {results.Count} cases of {cases.Count}");
            return results;
        }
    }

    /// <summary>Runs a Python script with python3 and returns what it printed; fails with what to do if python3 is missing.</summary>
    public static string RunPython(string script)
    {
        var start = new ProcessStartInfo("python3", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"These tests compare with Python, but python3 could not be started ({e.Message}). Run .ci/deps.sh.", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"python3 failed (exit code {process.ExitCode}): {stderr.Result}");
            return output;
        }
    }
}
