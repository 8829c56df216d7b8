using System.Runtime.InteropServices;
using System.Text.Json;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using Microsoft.AspNetCore.Http;
using static LlamaGen.Server.RequestFields;

namespace LlamaGen.Server;

/// <summary>
/// <c>POST /v1/embeddings</c>: <c>input</c> a string, strings, token ids or lists of them; mean-pooled, unit-length
/// vectors (llama.cpp's server's defaults) as floats or, with <c>encoding_format: "base64"</c>, little-endian float32 bytes.
/// </summary>
internal static class EmbeddingsEndpoint
{
    public static async Task HandleAsync(HttpContext context, ServedModel served, ServerOptions options)
    {
        LocalModel local = served.Require(options.RetryAfterSeconds);
        using JsonDocument document = await RequestBody.ReadObjectAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string format = String(body, "encoding_format") ?? "float";
        if (format is not ("float" or "base64")) throw ApiException.Invalid("encoding_format", $"must be \"float\" or \"base64\", got \"{format}\".");
        if (Int32(body, "dimensions") is int dimensions && dimensions != local.Model.Shape.EmbeddingLength)
            throw ApiException.Invalid("dimensions", $"this model's embeddings have {local.Model.Shape.EmbeddingLength} dimensions, not {dimensions}.");
        List<int[]> inputs = ReadInputs(body, local);

        float[][] vectors;
        try
        {
            vectors = await local.Engine.EmbedAsync(inputs, EmbeddingPooling.Mean, normalize: true, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ContextLengthException e)
        {
            throw ApiException.Invalid("input", e.Message);
        }
        int tokens = inputs.Sum(static input => input.Length);
        if (context.Features.Get<RequestUsage>() is { } usage) usage.PromptTokens = tokens;

        await JsonResponses.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (int i = 0; i < vectors.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", i);
                if (format == "base64")
                {
                    writer.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                }
                else
                {
                    writer.WriteStartArray("embedding");
                    foreach (float value in vectors[i]) writer.WriteNumberValue(value);
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteString("model", options.ModelId);
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", tokens);
            writer.WriteNumber("total_tokens", tokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static List<int[]> ReadInputs(JsonElement body, LocalModel local)
    {
        if (Get(body, "input") is not { } input) throw ApiException.Invalid("input", "required: a string or an array of strings.");
        var inputs = new List<int[]>();
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                inputs.Add(Encode(local, input.GetString()!, "input"));
                break;
            case JsonValueKind.Array when input.GetArrayLength() == 0:
                throw ApiException.Invalid("input", "must hold at least one input.");
            case JsonValueKind.Array when input[0].ValueKind == JsonValueKind.Number:
                inputs.Add(Checked(local, TokenArray(input, "input"), "input"));
                break;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in input.EnumerateArray())
                {
                    string path = $"input[{index++}]";
                    inputs.Add(item.ValueKind switch
                    {
                        JsonValueKind.String => Encode(local, item.GetString()!, path),
                        JsonValueKind.Array => Checked(local, TokenArray(item, path), path),
                        _ => throw ApiException.Invalid(path, $"must be a string or an array of token ids, got {Describe(item)}."),
                    });
                }
                break;
            default:
                throw ApiException.Invalid("input", $"must be a string or an array of strings, got {Describe(input)}.");
        }
        return inputs;
    }

    private static int[] Encode(LocalModel local, string text, string path)
    {
        if (text.Length == 0) throw ApiException.Invalid(path, "is empty; there is nothing to embed.");
        return local.Tokenizer.Encode(text, addBos: local.Tokenizer.AddBos, parseSpecial: false);
    }

    private static int[] Checked(LocalModel local, int[] tokens, string path)
    {
        if (tokens.Length == 0) throw ApiException.Invalid(path, "has no tokens; there is nothing to embed.");
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)local.Tokenizer.VocabSize)
                throw ApiException.Invalid($"{path}[{i}]", $"token {tokens[i]} is outside the vocabulary [0, {local.Tokenizer.VocabSize}).");
        }
        return tokens;
    }
}
