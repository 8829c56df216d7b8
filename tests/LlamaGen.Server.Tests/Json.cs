using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlamaGen.Server.Tests;

/// <summary>Raw JSON requests and responses, so the tests see the bytes the server sends.</summary>
public static class Json
{
    public static StringContent Content(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json, CancellationToken cancellationToken = default) =>
        http.PostAsync(path, Content(json), cancellationToken);

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public static string Chat(string user, int maxTokens, bool stream = false, string extra = "") =>
        $$"""{"model":"{{RunningServer.ModelId}}","messages":[{"role":"user","content":{{JsonSerializer.Serialize(user)}}}],"temperature":0,"max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}{{extra}}}""";
}
