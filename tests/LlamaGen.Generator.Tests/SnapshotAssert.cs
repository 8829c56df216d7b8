using System.Text;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// Compares generated sources with reviewed snapshots: one <c>&lt;hint&gt;.verified.cs</c> per generated file under
/// <c>tests/LlamaGen.Generator.Tests/Snapshots/&lt;case&gt;/</c>, and no file missing or extra. A mismatch writes
/// <c>&lt;hint&gt;.received.cs</c> beside the verified file and fails with a unified diff. Setting
/// <see cref="AcceptVariable"/> to <c>1</c> overwrites the verified files with the current output instead.
/// </summary>
internal static class SnapshotAssert
{
    public const string AcceptVariable = "LLAMAGEN_ACCEPT_SNAPSHOTS";
    public const string VerifiedSuffix = ".verified.cs";
    public const string ReceivedSuffix = ".received.cs";

    /// <summary>The snapshot folder in the source tree (not the build output), so accepted files land in the checkout.</summary>
    public static string Root => Path.Combine(RepositoryPaths.Root, "tests", "LlamaGen.Generator.Tests", "Snapshots");

    private static bool AcceptRequested => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    /// <summary>Asserts that <paramref name="generated"/> (hint name, text) matches the case's verified files.</summary>
    public static void Matches(string caseName, IReadOnlyList<(string HintName, string Text)> generated)
    {
        string? failure = Verify(Path.Combine(Root, caseName), generated, AcceptRequested);
        if (failure is not null)
        {
            Assert.Fail($"Generated code for '{caseName}' differs from its snapshots.\n{failure}\n" +
                        $"Review the *.received.cs files; if the new output is right, accept it with:\n" +
                        $"  {AcceptVariable}=1 dotnet test tests/LlamaGen.Generator.Tests");
        }
    }

    /// <summary>
    /// Compares (or, when <paramref name="accept"/>, writes) the snapshots in <paramref name="directory"/>.
    /// Returns null when everything matches, else a readable description of every difference.
    /// </summary>
    public static string? Verify(string directory, IReadOnlyList<(string HintName, string Text)> generated, bool accept)
    {
        Directory.CreateDirectory(directory);
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
        var failures = new StringBuilder();
        foreach (var (hintName, text) in generated.OrderBy(g => g.HintName, StringComparer.Ordinal))
        {
            string stem = Path.Combine(directory, Stem(hintName));
            string verifiedPath = stem + VerifiedSuffix, receivedPath = stem + ReceivedSuffix;
            expectedFiles.Add(Path.GetFileName(verifiedPath));
            string received = Normalize(text);

            if (accept)
            {
                File.WriteAllText(verifiedPath, received, Utf8NoBom);
                File.Delete(receivedPath);
                continue;
            }
            if (!File.Exists(verifiedPath))
            {
                File.WriteAllText(receivedPath, received, Utf8NoBom);
                failures.Append($"{hintName}: generated, but there is no {Path.GetFileName(verifiedPath)} (a new file?). Wrote {Path.GetFileName(receivedPath)}.\n");
                continue;
            }
            string? difference = Compare(Relative(verifiedPath), File.ReadAllText(verifiedPath), Relative(receivedPath), received);
            if (difference is null)
            {
                File.Delete(receivedPath);
                continue;
            }
            File.WriteAllText(receivedPath, received, Utf8NoBom);
            failures.Append(hintName).Append(":\n").Append(difference);
        }

        foreach (string verifiedPath in Directory.GetFiles(directory, "*" + VerifiedSuffix).OrderBy(p => p, StringComparer.Ordinal))
        {
            if (expectedFiles.Contains(Path.GetFileName(verifiedPath))) continue;
            if (accept) File.Delete(verifiedPath);
            else failures.Append($"{Path.GetFileName(verifiedPath)}: verified, but the generator no longer produces this file.\n");
        }
        return failures.Length == 0 ? null : failures.ToString();
    }

    /// <summary>Null when the texts are equal up to line endings and a byte-order mark, else a unified diff.</summary>
    public static string? Compare(string verifiedName, string verified, string receivedName, string received)
    {
        string expected = Normalize(verified), actual = Normalize(received);
        if (expected == actual) return null;
        string diff = LineDiff.Unified(expected, actual, verifiedName, receivedName);
        // Equal lines but different text: only the final newline differs.
        return diff.Length > 0 ? diff : $"--- {verifiedName}\n+++ {receivedName}\n(the files differ only in their final newline)\n";
    }

    /// <summary><c>Models.M.Shape.g.cs</c> -&gt; <c>Models.M.Shape.g</c>.</summary>
    public static string Stem(string hintName) =>
        hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName[..^3] : hintName;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static string Normalize(string text) => text.TrimStart('\uFEFF').Replace("\r\n", "\n");

    private static string Relative(string path) => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/');
}
