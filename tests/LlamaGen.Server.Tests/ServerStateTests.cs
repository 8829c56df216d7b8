using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LlamaGen.Hosting;

namespace LlamaGen.Server.Tests;

/// <summary>Health while loading and after, the API key, a prompt longer than the context, a model that fails to load.</summary>
public sealed class ServerStateTests
{
    [Fact]
    public async Task Health_is_503_loading_until_the_model_is_ready_then_200_ok()
    {
        using var gate = new ManualResetEventSlim(false);
        await using RunningServer server = await RunningServer.StartAsync(load: () =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return RunningServer.LoadTinyChat();
        }, waitReady: false);

        using (HttpResponseMessage loading = await server.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
            Assert.Equal("loading", (await Json.ReadAsync(loading)).GetProperty("status").GetString());
            Assert.NotNull(loading.Headers.RetryAfter);
        }
        using (HttpResponseMessage chat = await Json.PostAsync(server.Http, "/v1/chat/completions", Json.Chat("hi", 2)))
        {
            JsonElement error = await ErrorResponseTests.AssertErrorAsync(chat, 503, "unavailable_error");
            Assert.Contains("Loading", error.GetProperty("message").GetString());
            Assert.NotNull(chat.Headers.RetryAfter);
        }
        // The model list is known before the weights are.
        using (HttpResponseMessage models = await server.Http.GetAsync("/v1/models"))
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);

        gate.Set();
        await server.Server.Model.Loading.WaitAsync(TimeSpan.FromSeconds(30));
        using HttpResponseMessage ready = await server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ok", (await Json.ReadAsync(ready)).GetProperty("status").GetString());
        Assert.Matches(@"GET /health 503 .* ms", server.Log);
        Assert.Matches(@"GET /health 200 .* ms", server.Log);
    }

    [Fact]
    public async Task A_model_that_fails_to_load_makes_health_500_and_requests_500()
    {
        await using RunningServer server = await RunningServer.StartAsync(load: () => throw new FileNotFoundException("no such model: /nowhere.gguf"), waitReady: false);
        await Assert.ThrowsAnyAsync<Exception>(() => server.Server.Model.Loading.WaitAsync(TimeSpan.FromSeconds(10)));
        using HttpResponseMessage health = await server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.InternalServerError, health.StatusCode);
        JsonElement body = await Json.ReadAsync(health);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Contains("/nowhere.gguf", body.GetProperty("message").GetString());
        using HttpResponseMessage chat = await Json.PostAsync(server.Http, "/v1/chat/completions", Json.Chat("hi", 2));
        await ErrorResponseTests.AssertErrorAsync(chat, 500, "server_error");
    }

    [Fact]
    public async Task With_an_api_key_requests_need_the_bearer_token_but_health_and_models_stay_open()
    {
        await using RunningServer server = await RunningServer.StartAsync(apiKey: "sekret");
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };

        using (HttpResponseMessage missing = await Json.PostAsync(anonymous, "/v1/chat/completions", Json.Chat("hi", 2)))
        {
            JsonElement error = await ErrorResponseTests.AssertErrorAsync(missing, 401, "authentication_error");
            Assert.Contains("Authorization", error.GetProperty("message").GetString());
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Content(Json.Chat("hi", 2)) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sekret2");
        using (HttpResponseMessage denied = await anonymous.SendAsync(wrong))
            await ErrorResponseTests.AssertErrorAsync(denied, 401, "authentication_error");
        foreach (string path in (string[])["/metrics"])
        {
            using HttpResponseMessage closed = await anonymous.GetAsync(path);
            await ErrorResponseTests.AssertErrorAsync(closed, 401, "authentication_error");
        }
        using (HttpResponseMessage tokenize = await Json.PostAsync(anonymous, "/tokenize", """{"content":"hi"}"""))
            await ErrorResponseTests.AssertErrorAsync(tokenize, 401, "authentication_error");

        foreach (string path in (string[])["/health", "/v1/models", "/"])
        {
            using HttpResponseMessage open = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }
        // server.Http sends the key.
        using HttpResponseMessage allowed = await Json.PostAsync(server.Http, "/v1/chat/completions", Json.Chat("hi", 2));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_400_with_the_token_counts()
    {
        await using RunningServer server = await RunningServer.StartAsync(contextLength: 64);
        string user = string.Join(' ', Enumerable.Repeat("llama", 100));
        LocalModel local = server.Local;
        int tokens = Reference.ChatPrompt(local, new Chat.ChatMessage("user", user)).Length;
        Assert.True(tokens > 64);

        using HttpResponseMessage response = await Json.PostAsync(server.Http, "/v1/chat/completions", Json.Chat(user, 5));
        JsonElement error = await ErrorResponseTests.AssertErrorAsync(response, 400, "invalid_request_error");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains($"{tokens} tokens", message);
        Assert.Contains("64", message);
        Assert.Equal("messages", error.GetProperty("param").GetString());

        using HttpResponseMessage completion = await Json.PostAsync(server.Http, "/v1/completions", $$"""{"prompt":"{{user}}","max_tokens":3}""");
        JsonElement completionError = await ErrorResponseTests.AssertErrorAsync(completion, 400, "invalid_request_error");
        Assert.Equal("prompt", completionError.GetProperty("param").GetString());

        using HttpResponseMessage embedding = await Json.PostAsync(server.Http, "/v1/embeddings", $$"""{"input":"{{user}}"}""");
        await ErrorResponseTests.AssertErrorAsync(embedding, 400, "invalid_request_error");
    }
}
