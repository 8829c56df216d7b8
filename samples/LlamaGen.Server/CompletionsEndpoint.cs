using System.Text.Json;
using LlamaGen.Hosting;
using Microsoft.AspNetCore.Http;
using static LlamaGen.Server.RequestFields;

namespace LlamaGen.Server;

/// <summary><c>POST /v1/completions</c>: plain text continuation of <c>prompt</c> (a string, or token ids).</summary>
internal static class CompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context, ServedModel served, ServerOptions options)
    {
        LocalModel local = served.Require(options.RetryAfterSeconds);
        using JsonDocument document = await RequestBody.ReadObjectAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        if (Get(body, "prompt") is not { } prompt) throw ApiException.Invalid("prompt", "required: a string.");
        int[] tokens = prompt.ValueKind switch
        {
            JsonValueKind.String => local.Tokenizer.Encode(prompt.GetString()!, addBos: local.Tokenizer.AddBos, parseSpecial: true),
            JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String =>
                local.Tokenizer.Encode(prompt[0].GetString()!, addBos: local.Tokenizer.AddBos, parseSpecial: true),
            JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt[0].ValueKind == JsonValueKind.Number => Tokens(local, prompt),
            JsonValueKind.Array => throw ApiException.Invalid("prompt", "only one prompt per request is supported (a string, a list of one string, or token ids)."),
            _ => throw ApiException.Invalid("prompt", $"must be a string, got {Describe(prompt)}."),
        };
        if (tokens.Length == 0) throw ApiException.Invalid("prompt", "has no tokens (the model adds no BOS); send some text.");
        GenerationParameters parameters = GenerationParameters.Read(body);
        await new CompletionResponder(context, local, options, chat: false).RunAsync(tokens, parameters).ConfigureAwait(false);
    }

    private static int[] Tokens(LocalModel local, JsonElement prompt)
    {
        int[] tokens = TokenArray(prompt, "prompt");
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)local.Tokenizer.VocabSize)
                throw ApiException.Invalid($"prompt[{i}]", $"token {tokens[i]} is outside the vocabulary [0, {local.Tokenizer.VocabSize}).");
        }
        return tokens;
    }
}
