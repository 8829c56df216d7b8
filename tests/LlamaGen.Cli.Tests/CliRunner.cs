using System.Text;

namespace LlamaGen.Cli.Tests;

/// <summary>Runs <c>llamagen</c> in-process through <see cref="LlamaGen.Cli.Program.Run"/> with in-memory streams.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => RunWithInput([], args);

    public static Result RunWithInput(byte[] stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exitCode = LlamaGen.Cli.Program.Run(args, new MemoryStream(stdin), stdout, stderr);
        return new Result(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static Result RunWithInput(string stdin, params string[] args) =>
        RunWithInput(new UTF8Encoding(false).GetBytes(stdin), args);

    /// <summary>Asserts the run failed as a user error: exit code 1, nothing on stdout, exactly one "error: " line on stderr.</summary>
    public static string AssertUserError(Result result)
    {
        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}, stderr: {result.Stderr}");
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.EndsWith("\n", result.Stderr);
        Assert.DoesNotContain("\n", result.Stderr.TrimEnd('\n'));
        Assert.DoesNotContain("   at ", result.Stderr);
        return result.Stderr;
    }
}
