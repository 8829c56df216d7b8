using System.Net;
using System.Text.Json;

namespace LlamaGen.Server.Tests;

/// <summary>
/// Every bad request gets OpenAI's error shape, <c>{"error": {"code", "message", "type", "param"}}</c>, with the HTTP
/// status equal to the code and the field at fault named in the message and in <c>param</c>.
/// </summary>
public sealed class ErrorResponseTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status, string type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        JsonElement body = await Json.ReadAsync(response);
        JsonElement error = body.GetProperty("error");
        Assert.Equal(status, error.GetProperty("code").GetInt32());
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        return error;
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}""", "request body")]
    [InlineData("/v1/chat/completions", "", "request body")]
    [InlineData("/v1/chat/completions", "[1,2]", "request body")]
    [InlineData("/v1/chat/completions", """{"model":"m"}""", "messages")]
    [InlineData("/v1/chat/completions", """{"messages":"hi"}""", "messages")]
    [InlineData("/v1/chat/completions", """{"messages":[]}""", "messages")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"},{"role":"robot","content":"x"}]}""", "messages[1].role")]
    [InlineData("/v1/chat/completions", """{"messages":[{"content":"hi"}]}""", "messages[0].role")]
    [InlineData("/v1/chat/completions", """{"messages":[7]}""", "messages[0]")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":42}]}""", "messages[0].content")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", "messages[0].content[0].type")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":[{"type":"text"}]}]}""", "messages[0].content[0].text")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"temperature":-1}""", "temperature")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"top_p":0}""", "top_p")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"top_k":-2}""", "top_k")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"min_p":1.5}""", "min_p")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":"ten"}""", "max_completion_tokens")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":2.5}""", "max_tokens")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stop":5}""", "stop")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stop":["ok",1]}""", "stop[1]")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stop":[""]}""", "stop[0]")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"n":2}""", "n")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"seed":"x"}""", "seed")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":1}}""", "stream_options.include_usage")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"frequency_penalty":3}""", "frequency_penalty")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"presence_penalty":"no"}""", "presence_penalty")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}""", "tools")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""", "response_format.type")]
    [InlineData("/v1/completions", """{"max_tokens":3}""", "prompt")]
    [InlineData("/v1/completions", """{"prompt":12}""", "prompt")]
    [InlineData("/v1/completions", """{"prompt":["a","b"]}""", "prompt")]
    [InlineData("/v1/completions", """{"prompt":[1,99999999]}""", "prompt[1]")]
    [InlineData("/v1/completions", """{"prompt":"hi","top_p":"high"}""", "top_p")]
    [InlineData("/v1/embeddings", """{"model":"m"}""", "input")]
    [InlineData("/v1/embeddings", """{"input":[]}""", "input")]
    [InlineData("/v1/embeddings", """{"input":""}""", "input")]
    [InlineData("/v1/embeddings", """{"input":["ok",{"a":1}]}""", "input[1]")]
    [InlineData("/v1/embeddings", """{"input":"ok","encoding_format":"hex"}""", "encoding_format")]
    [InlineData("/v1/embeddings", """{"input":"ok","dimensions":3}""", "dimensions")]
    [InlineData("/tokenize", """{"text":"hi"}""", "content")]
    [InlineData("/tokenize", """{"content":"hi","add_special":"yes"}""", "add_special")]
    [InlineData("/detokenize", """{"tokens":"1 2"}""", "tokens")]
    [InlineData("/detokenize", """{"tokens":[1,-5]}""", "tokens[1]")]
    public async Task Bad_requests_are_400_naming_the_field(string path, string body, string field)
    {
        using HttpResponseMessage response = await Json.PostAsync(Server.Http, path, body);
        JsonElement error = await AssertErrorAsync(response, 400, "invalid_request_error");
        Assert.StartsWith(field + ":", error.GetProperty("message").GetString());
        Assert.Equal(field, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Unknown_paths_are_404_not_found()
    {
        using HttpResponseMessage get = await Server.Http.GetAsync("/v1/nothing");
        JsonElement error = await AssertErrorAsync(get, 404, "not_found_error");
        Assert.Contains("/v1/nothing", error.GetProperty("message").GetString());
        using HttpResponseMessage post = await Json.PostAsync(Server.Http, "/v2/chat/completions", "{}");
        await AssertErrorAsync(post, 404, "not_found_error");
    }

    [Fact]
    public async Task A_wrong_method_is_405_with_the_error_body()
    {
        using HttpResponseMessage response = await Server.Http.GetAsync("/v1/chat/completions");
        await AssertErrorAsync(response, 405, "invalid_request_error");
    }

    [Fact]
    public async Task The_server_still_answers_after_bad_requests()
    {
        using HttpResponseMessage bad = await Json.PostAsync(Server.Http, "/v1/chat/completions", "{\"messages\": [");
        await AssertErrorAsync(bad, 400, "invalid_request_error");
        using HttpResponseMessage good = await Json.PostAsync(Server.Http, "/v1/chat/completions", Json.Chat("hi", 2));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}
