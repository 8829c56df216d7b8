using System.Text.Json;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// The bench report is written by hand (<see cref="BenchReportJson"/>, no serializer in the native binary) and read by the
/// side-by-side runner's source-generated context: the two must agree on every property's name and value.
/// </summary>
public class BenchReportJsonTests
{
    private static BenchReport Sample(string? modelName, long? peakRss, string? nativeLibrary) => new()
    {
        Engine = "llamagen", EngineVersion = "1.2.3", Model = "/models/a \"quoted\" name.gguf", ModelBytes = 5_000_000_123,
        ModelName = modelName, ThreadsRequested = 3, ThreadsUsed = 2, PromptTokens = 128, GenTokens = 64, Reps = 3,
        Seed = ulong.MaxValue, PromptFingerprint = "a5ee514c8c8bcf5a", LoadMs = 1234.5678, WarmupMs = 0.1,
        PpTokensPerS = 21.25, TgTokensPerS = 1e-3, PpMs = [1.5, 2.25, 1e10], TgMs = [3.0, 0.0, 7.125],
        PpTokensPerSRuns = [8.5, 9.0, 1.0 / 3], TgTokensPerSRuns = [2.0, double.Epsilon, 4.0],
        PromptIds = [1, 32000, 0], GeneratedIds = [int.MaxValue, 5], PeakRssBytes = peakRss, Isa = "Avx512",
        NativeLibrary = nativeLibrary, Notes = ["one", "two \u00e9 \U0001F600"],
    };

    [Theory]
    [InlineData("LlamaGen.Catalog.Llama2_7B", 4_000_000_000L, "/usr/lib/libllama.so")]
    [InlineData(null, null, null)]
    public void TheRunnersReaderReadsBackEveryProperty(string? modelName, long? peakRss, string? nativeLibrary)
    {
        BenchReport written = Sample(modelName, peakRss, nativeLibrary);
        string json = BenchReportJson.Serialize(written);
        Assert.DoesNotContain('\n', json);
        BenchReport read = JsonSerializer.Deserialize(json, BenchJsonContext.Default.BenchReport)!;

        // Every property, by reflection over the record, so a property added later without a writer line fails here.
        foreach (var property in typeof(BenchReport).GetProperties())
        {
            object? expected = property.GetValue(written), actual = property.GetValue(read);
            if (expected is System.Collections.IEnumerable e && expected is not string)
                Assert.Equal(e.Cast<object>(), ((System.Collections.IEnumerable)actual!).Cast<object>());
            else
                Assert.Equal(expected, actual);
        }
        // And the names are the serializer's own: its output has the same keys in the same order.
        string serialized = JsonSerializer.Serialize(written, BenchJsonContext.Default.BenchReport);
        Assert.Equal(Keys(serialized), Keys(json));
    }

    private static string[] Keys(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
}
