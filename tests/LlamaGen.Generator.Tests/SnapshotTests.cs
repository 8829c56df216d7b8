using System.Globalization;

namespace LlamaGen.Generator.Tests;

/// <summary>
/// The generated code is kept as snapshots and reviewed like code: every spec's own files (shape, weights, forward pass)
/// under <c>Snapshots/&lt;case&gt;/</c>, and the kernels all of them share, generated once for every case in one
/// compilation, under <c>Snapshots/kernels/</c>: each distinct kernel and helper once. Accept a deliberate change with
/// <c>LLAMAGEN_ACCEPT_SNAPSHOTS=1 dotnet test tests/LlamaGen.Generator.Tests</c>.
/// </summary>
public sealed class SnapshotTests
{
    public static TheoryData<string> Cases() => SnapshotCase.Names();

    public static TheoryData<string> EdgeCases() => new(SnapshotCase.All.Where(c => c.IsEdgeSpec).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedCodeMatchesTheVerifiedSnapshots(string caseName)
    {
        SnapshotCase snapshot = SnapshotCase.Named(caseName);
        GeneratorResult result = snapshot.Run();

        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorErrors);
        SnapshotAssert.Matches(caseName, SnapshotCase.Sources(result));
    }

    [Fact]
    public void SharedKernelsMatchTheVerifiedSnapshots()
    {
        GeneratorResult result = SnapshotCase.RunAll();
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorErrors);
        Assert.Empty(result.CompilationErrors);
        SnapshotAssert.Matches(SnapshotCase.KernelsCase, SnapshotCase.KernelSources(result));
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void EdgeSpecsCompileWithoutErrors(string caseName)
    {
        // The specs in specs/ are compiled by SpecCompilationTests; the edge specs exist only here.
        GeneratorResult result = SnapshotCase.Named(caseName).Run();
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void EveryVerifiedFolderBelongsToACase()
    {
        // A renamed or deleted spec must not leave its old snapshots behind unnoticed.
        var names = SnapshotCase.All.Select(c => c.Name).Append(SnapshotCase.KernelsCase).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetDirectories(SnapshotAssert.Root).Select(Path.GetFileName).Where(n => !names.Contains(n!)).ToList();
        Assert.True(orphans.Count == 0, $"Snapshot folders without a case: {string.Join(", ", orphans)}. Delete them.");
    }

    [Fact]
    public void DeletingAnyLineOfAVerifiedFileFailsTheComparison()
    {
        (string hint, string text) = SnapshotCase.Sources(SnapshotCase.Named("stories260k").Run()).Single(s => s.HintName.EndsWith(".Shape.g.cs"));
        string[] lines = LineDiff.Lines(text);

        for (int i = 0; i < lines.Length; i++)
        {
            string mutated = string.Join("\n", lines.Where((_, j) => j != i)) + "\n";
            string? failure = SnapshotAssert.Compare("verified", mutated, "received", text);
            Assert.True(failure is not null, $"Deleting line {i + 1} of {hint} went unnoticed.");
        }
    }

    [Fact]
    public void AMismatchIsShownAsAUnifiedDiffOfTheChangedLines()
    {
        (_, string text) = SnapshotCase.Sources(SnapshotCase.Named("stories260k").Run()).Single(s => s.HintName.EndsWith(".Shape.g.cs"));
        string[] lines = LineDiff.Lines(text);
        int deleted = Array.FindIndex(lines, l => l.Contains("public const int BlockCount = 5;"));
        string verified = string.Join("\n", lines.Where((_, j) => j != deleted)) + "\n";

        string failure = SnapshotAssert.Compare("a.verified.cs", verified, "a.received.cs", text)!;

        // The received file has the line the verified one lacks: one added line, 3 lines of context either side.
        Assert.StartsWith("--- a.verified.cs\n+++ a.received.cs\n", failure);
        Assert.Contains($"@@ -{deleted - 2},6 +{deleted - 2},7 @@\n", failure);
        Assert.Contains("\n+    public const int BlockCount = 5;\n", failure);
        Assert.Equal(1, failure.Split('\n').Count(l => l.StartsWith('+') && !l.StartsWith("+++")));
        Assert.DoesNotContain(failure.Split('\n'), l => l.StartsWith('-') && !l.StartsWith("---"));
    }

    [Fact]
    public void AChangedOutputIsCaughtByTheVerifiedSnapshot()
    {
        // Stands in for an emitter change: the same case generated with one different constant must not match.
        SnapshotCase original = SnapshotCase.Named("stories260k");
        SnapshotCase changed = original with { SpecText = original.SpecText.Replace("\"context_length\": 512", "\"context_length\": 511") };
        Assert.NotEqual(original.SpecText, changed.SpecText);
        string directory = Path.Combine(SnapshotAssert.Root, original.Name);
        string shapeHint = $"{SnapshotCase.Namespace}.{original.ClassName}.Shape.g.cs";
        string verifiedPath = Path.Combine(directory, SnapshotAssert.Stem(shapeHint) + SnapshotAssert.VerifiedSuffix);
        // While snapshots are being accepted the file may not be written yet; the fresh output stands in for it.
        string verified = File.Exists(verifiedPath)
            ? File.ReadAllText(verifiedPath)
            : SnapshotCase.Sources(original.Run()).Single(s => s.HintName == shapeHint).Text;
        string received = SnapshotCase.Sources(changed.Run()).Single(s => s.HintName == shapeHint).Text;

        string? failure = SnapshotAssert.Compare("verified", verified, "received", received);

        Assert.NotNull(failure);
        Assert.Contains("-    public const int ContextLength = 512;", failure);
        Assert.Contains("+    public const int ContextLength = 511;", failure);
    }

    [Fact]
    public void MissingExtraAndChangedFilesAreAllReportedAndReceivedFilesWritten()
    {
        string directory = Directory.CreateTempSubdirectory("llamagen-snapshots-").FullName;
        try
        {
            var original = new List<(string, string)> { ("A.g.cs", "a\n"), ("B.g.cs", "b\n"), ("C.g.cs", "c\n") };
            Assert.Null(SnapshotAssert.Verify(directory, original, accept: true));
            Assert.Null(SnapshotAssert.Verify(directory, original, accept: false));

            var changed = new List<(string, string)> { ("A.g.cs", "a2\n"), ("B.g.cs", "b\n"), ("D.g.cs", "d\n") };
            string failure = SnapshotAssert.Verify(directory, changed, accept: false)!;

            Assert.Contains("A.g.cs:\n", failure);
            Assert.Contains("-a\n+a2\n", failure);
            Assert.Contains("D.g.cs: generated, but there is no D.g.verified.cs", failure);
            Assert.Contains("C.g.verified.cs: verified, but the generator no longer produces this file.", failure);
            Assert.DoesNotContain("B.g.cs", failure);
            Assert.Equal("a2\n", File.ReadAllText(Path.Combine(directory, "A.g.received.cs")));
            Assert.Equal("d\n", File.ReadAllText(Path.Combine(directory, "D.g.received.cs")));
            Assert.False(File.Exists(Path.Combine(directory, "B.g.received.cs")));

            // Accepting makes the folder exactly the generated set and clears the received files.
            Assert.Null(SnapshotAssert.Verify(directory, changed, accept: true));
            Assert.Equal(["A.g.verified.cs", "B.g.verified.cs", "D.g.verified.cs"],
                Directory.GetFiles(directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal).ToArray());
            Assert.Null(SnapshotAssert.Verify(directory, changed, accept: false));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void OutputDoesNotDependOnTheCurrentCulture()
    {
        // A culture with a comma decimal separator and a non-ASCII minus sign must not leak into literals.
        SnapshotCase snapshot = SnapshotCase.Named("stories260k");
        var invariant = SnapshotCase.Sources(snapshot.Run());
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            // Built from the invariant culture so it exists even in globalization-invariant mode.
            var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            culture.NumberFormat.NumberDecimalSeparator = ",";
            culture.NumberFormat.NumberGroupSeparator = ".";
            culture.NumberFormat.NegativeSign = "\u2212";
            CultureInfo.CurrentCulture = culture;
            Assert.Equal(invariant, SnapshotCase.Sources(snapshot.Run()));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
