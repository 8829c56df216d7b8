using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Models;
using LlamaGen.Quantization;
using LlamaGen.Sequences;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Models;

/// <summary>
/// The repacked-weights cache (<see cref="ModelLoadOptions.WeightCache"/>): the first load writes it, later loads map it
/// and repack nothing, with the same logits; a changed model, another layout version, a truncated, corrupt or foreign
/// file is reported and never trusted; concurrent loads and unwritable folders leave a sound cache or none.
/// Every model is written into a temporary folder first, so no fixture folder is written to.
/// </summary>
public sealed class WeightCacheTests : IDisposable
{
    private static readonly int[] Prompt = [1, 7, 3, 12, 5];

    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-weight-cache-").FullName;

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows()) // the read-only test's folder must be writable again to be deleted
            foreach (string path in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(directory, recursive: true);
    }

    private string Folder => Path.Combine(directory, "cache-folder");

    private ModelLoadOptions Options(WeightCacheMode mode = WeightCacheMode.BesideModel) =>
        new() { WeightCache = mode, WeightCacheFolder = Folder };

    private string WriteModel(GgmlType type, ulong seed = 3, string name = "model")
    {
        string modelDirectory = Path.Combine(directory, name);
        Directory.CreateDirectory(modelDirectory);
        string path = Path.Combine(modelDirectory, $"{type}.gguf");
        bool kQuant = KQuantInterleavedLayout.IsKQuant(type);
        SyntheticModelWriter.Write(kQuant ? Llama2TestK.Spec : Llama2TestSmall.Spec, type, ReferenceFixtures.TinyRandomGguf, path, seed);
        return path;
    }

    private static (float[] Logits, WeightCacheReport Report) Load(string path, ModelLoadOptions options)
    {
        WeightCacheReport? report = null;
        options = options with { WeightCacheObserver = r => report = r };
        using var file = GgufFile.Open(path);
        bool kQuant = file.Tensors.Any(t => KQuantInterleavedLayout.IsKQuant(t.Type));
        using ILlamaModel model = kQuant ? Llama2TestK.Load(file, options) : Llama2TestSmall.Load(file, options);
        using Sequence sequence = model.CreateSequence();
        using var batch = new DecodeBatch(model);
        batch.Add(sequence, Prompt);
        batch.Decode();
        Assert.NotNull(report);
        return (batch.Logits(batch.Count - 1).ToArray(), report);
    }

    [Theory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q5_1)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    public void TheFirstLoadWritesTheCacheAndTheSecondMapsItWithTheSameLogits(GgmlType type)
    {
        string model = WriteModel(type);
        var (plain, disabled) = Load(model, ModelLoadOptions.Default);
        Assert.Equal(WeightCacheStatus.Disabled, disabled.Status);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(model)!)); // the default writes nothing

        var (first, written) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, written.Status);
        Assert.Equal(model + ".llamagen-cache", written.Path);
        Assert.Empty(written.Warnings);
        Assert.Equal(0, written.TensorsMapped);
        Assert.True(written.TensorsRepacked > 0);
        Assert.True(File.Exists(written.Path));

        var (second, mapped) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Mapped, mapped.Status);
        Assert.Equal(written.Path, mapped.Path);
        Assert.Empty(mapped.Warnings);
        Assert.Equal(0, mapped.TensorsRepacked);
        Assert.Equal(written.TensorsRepacked, mapped.TensorsMapped);

        Assert.Equal(plain, first);
        Assert.Equal(plain, second);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(model)!, "*.tmp")); // no temporaries left behind
    }

    [Fact]
    public void FolderModeWritesOnlyIntoTheCacheFolder()
    {
        string model = WriteModel(GgmlType.Q4_0);
        var (plain, _) = Load(model, ModelLoadOptions.Default);
        var (_, written) = Load(model, Options(WeightCacheMode.Folder));
        Assert.Equal(WeightCacheStatus.Written, written.Status);
        Assert.StartsWith(Folder + Path.DirectorySeparatorChar, written.Path);
        Assert.False(File.Exists(model + ".llamagen-cache"));
        var (logits, mapped) = Load(model, Options(WeightCacheMode.Folder));
        Assert.Equal(WeightCacheStatus.Mapped, mapped.Status);
        Assert.Equal(plain, logits);
    }

    [Fact]
    public void AChangedModelFileInvalidatesTheCache()
    {
        string model = WriteModel(GgmlType.Q4_K);
        Load(model, Options());

        // The same shapes and size, other weights: what re-downloading a different quantization into the same name does.
        WriteModel(GgmlType.Q4_K, seed: 11);
        var (expected, _) = Load(model, ModelLoadOptions.Default);
        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, report.Status);
        Assert.Contains(report.Warnings, w => w.Contains("stale", StringComparison.Ordinal) && w.Contains(model + ".llamagen-cache", StringComparison.Ordinal));
        Assert.Equal(expected, logits);
        Assert.Equal(WeightCacheStatus.Mapped, Load(model, Options()).Report.Status);

        // Only the last-write time changes: still a different identity, so the cache is rebuilt, not trusted.
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddMinutes(-5));
        var (touched, afterTouch) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, afterTouch.Status);
        Assert.Contains(afterTouch.Warnings, w => w.Contains("stale", StringComparison.Ordinal));
        Assert.Equal(expected, touched);
    }

    [Fact]
    public void AnotherLayoutVersionInvalidatesTheCache()
    {
        string model = WriteModel(GgmlType.Q5_0);
        var (expected, written) = Load(model, Options());
        WeightCacheFile.RewriteLayoutVersion(written.Path!, WeightCacheFile.LayoutVersion + 1);

        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, report.Status);
        Assert.Contains(report.Warnings, w => w.Contains($"layout version {WeightCacheFile.LayoutVersion + 1}", StringComparison.Ordinal));
        Assert.Equal(expected, logits);
        Assert.Equal(WeightCacheStatus.Mapped, Load(model, Options()).Report.Status);
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "truncated-half", "truncated" },
        { "truncated-header", "truncated" },
        { "empty", "truncated" },
        { "header-byte", "checksum" },
        { "first-tensor-byte", "checksum" },
        { "last-tensor-byte", "checksum" },
        { "appended", "truncated" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void ADamagedCacheIsRebuiltWithAWarning(string damage, string expectedWord)
    {
        string model = WriteModel(GgmlType.Q4_K);
        var (expected, written) = Load(model, Options());
        string cache = written.Path!;
        long length = new FileInfo(cache).Length;
        byte[] start = new byte[20];
        using (var read = File.OpenRead(cache)) read.ReadExactly(start);
        long firstTensor = (BitConverter.ToInt32(start, 16) + 4095) / 4096 * 4096;
        using (var stream = new FileStream(cache, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case "truncated-half": stream.SetLength(length / 2); break;
                case "truncated-header": stream.SetLength(30); break;
                case "empty": stream.SetLength(0); break;
                case "appended": stream.Seek(0, SeekOrigin.End); stream.Write(new byte[100]); break;
                default:
                    stream.Position = damage switch { "header-byte" => 40, "first-tensor-byte" => firstTensor + 5, _ => length - 3 };
                    int value = stream.ReadByte();
                    stream.Position--;
                    stream.WriteByte((byte)(value ^ 0x5A));
                    break;
            }
        }

        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, report.Status);
        Assert.Contains(report.Warnings, w => w.Contains(cache, StringComparison.Ordinal) && w.Contains(expectedWord, StringComparison.Ordinal));
        Assert.Equal(expected, logits);
        Assert.Equal(length, new FileInfo(cache).Length);
        var (again, mapped) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Mapped, mapped.Status);
        Assert.Equal(expected, again);
    }

    [Fact]
    public void AForeignFileUnderTheCacheNameIsLeftAloneAndTheFolderUsed()
    {
        string model = WriteModel(GgmlType.Q8_0);
        string beside = model + ".llamagen-cache";
        byte[] users = "notes the user keeps here, not a cache"u8.ToArray();
        File.WriteAllBytes(beside, users);

        var (expected, _) = Load(model, ModelLoadOptions.Default);
        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, report.Status);
        Assert.StartsWith(Folder, report.Path);
        Assert.Contains(report.Warnings, w => w.Contains(beside, StringComparison.Ordinal) && w.Contains("not a LlamaGen weight cache", StringComparison.Ordinal));
        Assert.Equal(users, File.ReadAllBytes(beside));
        Assert.Equal(expected, logits);

        var (again, mapped) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Mapped, mapped.Status);
        Assert.Equal(report.Path, mapped.Path);
        Assert.Equal(expected, again);
        Assert.Equal(users, File.ReadAllBytes(beside));
    }

    [Fact]
    public void ConcurrentLoadsLeaveOneSoundCache()
    {
        string model = WriteModel(GgmlType.Q4_0);
        var (expected, _) = Load(model, ModelLoadOptions.Default);
        const int Loaders = 4;
        using var barrier = new Barrier(Loaders);
        var results = new (float[] Logits, WeightCacheReport Report)[Loaders];
        var threads = Enumerable.Range(0, Loaders).Select(i => new Thread(() =>
        {
            barrier.SignalAndWait();
            results[i] = Load(model, Options());
        })).ToArray();
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();

        foreach (var (logits, report) in results)
        {
            Assert.Equal(expected, logits);
            Assert.Contains(report.Status, new[] { WeightCacheStatus.Written, WeightCacheStatus.Mapped });
            Assert.DoesNotContain(report.Warnings, w => w.Contains("corrupt", StringComparison.Ordinal) || w.Contains("truncated", StringComparison.Ordinal));
        }
        var (after, final) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Mapped, final.Status);
        Assert.Empty(final.Warnings);
        Assert.Equal(expected, after);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(model)!, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void AnUnwritableModelLocationFallsBackToTheCacheFolder()
    {
        string model = WriteModel(GgmlType.Q4_1);
        // A directory under the cache's name: renaming a file over it fails for every user, root included.
        Directory.CreateDirectory(model + ".llamagen-cache");
        var (expected, _) = Load(model, ModelLoadOptions.Default);

        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, report.Status);
        Assert.StartsWith(Folder, report.Path);
        Assert.Contains(report.Warnings, w => w.Contains(model + ".llamagen-cache", StringComparison.Ordinal));
        Assert.Equal(expected, logits);
        var (again, mapped) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Mapped, mapped.Status);
        Assert.Equal(expected, again);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(model)!, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void AReadOnlyModelFolderFallsBackToTheCacheFolder()
    {
        string model = WriteModel(GgmlType.Q4_K);
        string folder = Path.GetDirectoryName(model)!;
        var (expected, _) = Load(model, ModelLoadOptions.Default);
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix file modes only.");
        else File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (CanCreateFileIn(folder)) Assert.Skip("The tests run with rights that ignore a read-only folder (root); the fallback is covered by AnUnwritableModelLocationFallsBackToTheCacheFolder.");

        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.Written, report.Status);
        Assert.StartsWith(Folder, report.Path);
        Assert.Equal(expected, logits);
        Assert.Equal(WeightCacheStatus.Mapped, Load(model, Options()).Report.Status);
    }

    [Fact]
    public void WithNoWritableLocationTheLoadSucceedsWithoutACache()
    {
        string model = WriteModel(GgmlType.Q4_0);
        Directory.CreateDirectory(model + ".llamagen-cache");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Folder, "a file where the cache folder would be"); // the folder cannot be created
        var (expected, _) = Load(model, ModelLoadOptions.Default);

        var (logits, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.NotWritten, report.Status);
        Assert.Null(report.Path);
        Assert.Equal(2, report.Warnings.Count(w => w.Contains("could not be written", StringComparison.Ordinal)));
        Assert.Equal(expected, logits);
    }

    [Fact]
    public void FloatWeightsHaveNothingToCache()
    {
        string model = WriteModel(GgmlType.F16);
        var (_, report) = Load(model, Options());
        Assert.Equal(WeightCacheStatus.NothingToCache, report.Status);
        Assert.False(File.Exists(model + ".llamagen-cache"));
        Assert.False(Directory.Exists(Folder));
    }

    private static bool CanCreateFileIn(string folder)
    {
        try
        {
            string probe = Path.Combine(folder, "probe");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
