using System.Text.Json;

namespace LlamaGen.Cli;

/// <summary>
/// <see cref="BenchReport"/> as the one-line JSON object that <c>--json</c> prints (snake_case names), written with
/// <see cref="Utf8JsonWriter"/>: the serializer and its source-generated metadata cost the NativeAOT binary 310 KB for
/// this one object. The side-by-side runner reads it back with a source-generated context
/// (bench/LlamaGen.SideBySide/BenchJsonContext.cs); a test checks the two agree on every property.
/// </summary>
internal static class BenchReportJson
{
    public static string Serialize(BenchReport r) => JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("engine", r.Engine);
            w.WriteString("engine_version", r.EngineVersion);
            w.WriteString("model", r.Model);
            w.WriteNumber("model_bytes", r.ModelBytes);
            NullableString(w, "model_name", r.ModelName);
            w.WriteNumber("threads_requested", r.ThreadsRequested);
            w.WriteNumber("threads_used", r.ThreadsUsed);
            w.WriteNumber("prompt_tokens", r.PromptTokens);
            w.WriteNumber("gen_tokens", r.GenTokens);
            w.WriteNumber("reps", r.Reps);
            w.WriteNumber("seed", r.Seed);
            w.WriteString("prompt_fingerprint", r.PromptFingerprint);
            w.WriteNumber("load_ms", r.LoadMs);
            w.WriteNumber("warmup_ms", r.WarmupMs);
            w.WriteNumber("pp_tokens_per_s", r.PpTokensPerS);
            w.WriteNumber("tg_tokens_per_s", r.TgTokensPerS);
            Doubles(w, "pp_ms", r.PpMs);
            Doubles(w, "tg_ms", r.TgMs);
            Doubles(w, "pp_tokens_per_s_runs", r.PpTokensPerSRuns);
            Doubles(w, "tg_tokens_per_s_runs", r.TgTokensPerSRuns);
            Ints(w, "prompt_ids", r.PromptIds);
            Ints(w, "generated_ids", r.GeneratedIds);
            if (r.PeakRssBytes is long rss) w.WriteNumber("peak_rss_bytes", rss);
            else w.WriteNull("peak_rss_bytes");
            w.WriteString("isa", r.Isa);
            NullableString(w, "native_library", r.NativeLibrary);
            w.WriteStartArray("notes");
            foreach (string note in r.Notes) w.WriteStringValue(note);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static void NullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void Doubles(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void Ints(Utf8JsonWriter w, string name, int[] values)
    {
        w.WriteStartArray(name);
        foreach (int v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
