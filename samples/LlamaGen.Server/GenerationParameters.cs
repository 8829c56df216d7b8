using System.Text.Json;
using LlamaGen.Inference;
using LlamaGen.Sampling;
using static LlamaGen.Server.RequestFields;

namespace LlamaGen.Server;

/// <summary>
/// The fields <c>/v1/chat/completions</c> and <c>/v1/completions</c> share, read into the engine's terms. Defaults are
/// llama.cpp's server's (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no token limit but the context).
/// </summary>
internal sealed record GenerationParameters(GenerationOptions Generation, bool Stream, bool IncludeUsage, bool CachePrompt)
{
    public static GenerationParameters Read(JsonElement body)
    {
        if (Int32(body, "n") is int n && n != 1)
            throw ApiException.Invalid("n", $"only n = 1 is supported (got {n}); send {n} requests instead.");
        if (Boolean(body, "logprobs") is true) throw ApiException.Invalid("logprobs", "log probabilities are not supported.");
        if (Get(body, "tools") is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
            throw ApiException.Invalid("tools", "tool calls are not supported.");
        if (Get(body, "response_format") is { } format)
        {
            string? type = format.ValueKind == JsonValueKind.Object ? String(format, "type", "response_format") : null;
            if (type is not (null or "text"))
                throw ApiException.Invalid("response_format.type", $"only \"text\" is supported (got \"{type}\").");
        }

        var sampling = new SamplerOptions { Temperature = 0.8f, TopK = 40, TopP = 0.95f, MinP = 0.05f };
        if (Number(body, "temperature") is double temperature)
        {
            if (temperature < 0) throw ApiException.Invalid("temperature", $"must be >= 0 (0 is greedy), got {temperature}.");
            sampling = sampling with { Temperature = (float)temperature };
        }
        if (Number(body, "top_p") is double topP)
        {
            if (!(topP > 0 && topP <= 1)) throw ApiException.Invalid("top_p", $"must be in (0, 1], got {topP}.");
            sampling = sampling with { TopP = (float)topP };
        }
        if (Int32(body, "top_k") is int topK)
        {
            if (topK < 0) throw ApiException.Invalid("top_k", $"must be >= 0 (0 turns it off), got {topK}.");
            sampling = sampling with { TopK = topK };
        }
        if (Number(body, "min_p") is double minP)
        {
            if (!(minP >= 0 && minP <= 1)) throw ApiException.Invalid("min_p", $"must be in [0, 1], got {minP}.");
            sampling = sampling with { MinP = (float)minP };
        }
        if (Number(body, "frequency_penalty") is double frequency)
        {
            if (frequency is < -2 or > 2) throw ApiException.Invalid("frequency_penalty", $"must be in [-2, 2], got {frequency}.");
            sampling = sampling with { FrequencyPenalty = (float)frequency };
        }
        if (Number(body, "presence_penalty") is double presence)
        {
            if (presence is < -2 or > 2) throw ApiException.Invalid("presence_penalty", $"must be in [-2, 2], got {presence}.");
            sampling = sampling with { PresencePenalty = (float)presence };
        }
        if (Number(body, "repeat_penalty") is double repeat)
        {
            if (!(repeat > 0)) throw ApiException.Invalid("repeat_penalty", $"must be > 0 (1 turns it off), got {repeat}.");
            sampling = sampling with { RepetitionPenalty = (float)repeat };
        }
        if (Int32(body, "repeat_last_n") is int window)
        {
            if (window < 0) throw ApiException.Invalid("repeat_last_n", $"must be >= 0, got {window}.");
            sampling = sampling with { RepetitionWindow = window };
        }
        // llama.cpp's seed -1 (and any negative seed) means a random one.
        if (Integer(body, "seed") is long seed) sampling = sampling with { Seed = seed >= 0 ? (ulong)seed : null };

        int maxTokens = int.MaxValue;
        foreach (string field in (ReadOnlySpan<string>)["max_tokens", "max_completion_tokens", "n_predict"])
        {
            if (Int32(body, field) is not int max) continue;
            // llama.cpp's n_predict -1: until the context is full.
            if (max == -1 && field == "n_predict") continue;
            if (max < 1) throw ApiException.Invalid(field, $"must be >= 1, got {max}.");
            maxTokens = max;
        }

        List<string> stops = StringOrList(body, "stop") ?? [];
        for (int i = 0; i < stops.Count; i++)
        {
            if (stops[i].Length == 0) throw ApiException.Invalid(Get(body, "stop")!.Value.ValueKind == JsonValueKind.Array ? $"stop[{i}]" : "stop", "an empty stop string would stop before the first token.");
        }

        bool stream = Boolean(body, "stream") ?? false;
        bool includeUsage = false;
        if (Get(body, "stream_options") is { } streamOptions)
        {
            if (streamOptions.ValueKind != JsonValueKind.Object) throw ApiException.Invalid("stream_options", $"must be an object, got {Describe(streamOptions)}.");
            includeUsage = Boolean(streamOptions, "include_usage", "stream_options") ?? false;
        }
        bool cachePrompt = Boolean(body, "cache_prompt") ?? true;

        var generation = new GenerationOptions { MaxNewTokens = maxTokens, Sampling = sampling, StopStrings = stops };
        generation.Validate();
        return new GenerationParameters(generation, stream, includeUsage, cachePrompt);
    }

    /// <summary>OpenAI's finish_reason for how a generation ended.</summary>
    public static string FinishReason(StopReason reason) => reason switch
    {
        StopReason.MaxTokens or StopReason.ContextFull => "length",
        _ => "stop",
    };
}
