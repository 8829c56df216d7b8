using System.Text.Json;
using LlamaGen.Hosting;
using Microsoft.AspNetCore.Http;
using static LlamaGen.Server.RequestFields;

namespace LlamaGen.Server;

/// <summary>llama.cpp's server's <c>POST /tokenize</c> and <c>POST /detokenize</c>, in its shapes.</summary>
internal static class TokenizeEndpoints
{
    /// <summary><c>{"content", "add_special" (false), "parse_special" (true), "with_pieces" (false)}</c> to <c>{"tokens": [...]}</c>.</summary>
    public static async Task TokenizeAsync(HttpContext context, ServedModel served, ServerOptions options)
    {
        LocalModel local = served.Require(options.RetryAfterSeconds);
        using JsonDocument document = await RequestBody.ReadObjectAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string content = String(body, "content") ?? throw ApiException.Invalid("content", "required: the text to tokenize.");
        bool addSpecial = Boolean(body, "add_special") ?? false;
        bool parseSpecial = Boolean(body, "parse_special") ?? true;
        bool withPieces = Boolean(body, "with_pieces") ?? false;
        int[] tokens = local.Tokenizer.Encode(content, addBos: addSpecial && local.Tokenizer.AddBos, parseSpecial);
        await JsonResponses.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("tokens");
            foreach (int token in tokens)
            {
                if (!withPieces)
                {
                    writer.WriteNumberValue(token);
                    continue;
                }
                writer.WriteStartObject();
                writer.WriteNumber("id", token);
                writer.WriteString("piece", local.Tokenizer.TokenToPiece(token));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>{"tokens": [...]}</c> to <c>{"content": "..."}</c>.</summary>
    public static async Task DetokenizeAsync(HttpContext context, ServedModel served, ServerOptions options)
    {
        LocalModel local = served.Require(options.RetryAfterSeconds);
        using JsonDocument document = await RequestBody.ReadObjectAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        if (Get(body, "tokens") is not { } value) throw ApiException.Invalid("tokens", "required: an array of token ids.");
        int[] tokens = TokenArray(value, "tokens");
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)local.Tokenizer.VocabSize)
                throw ApiException.Invalid($"tokens[{i}]", $"token {tokens[i]} is outside the vocabulary [0, {local.Tokenizer.VocabSize}).");
        }
        string content = local.Tokenizer.Decode(tokens);
        await JsonResponses.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("content", content);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
