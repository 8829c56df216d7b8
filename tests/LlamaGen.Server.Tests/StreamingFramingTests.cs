using System.Text;
using System.Text.Json;
using LlamaGen.Chat;
using LlamaGen.Hosting;

namespace LlamaGen.Server.Tests;

/// <summary>The SSE framing of <c>stream: true</c> against OpenAI's: chunks, one id, role first, finish last, usage, [DONE].</summary>
public sealed class StreamingFramingTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    [Fact]
    public async Task Chat_stream_is_OpenAI_chunks_ending_with_finish_reason_usage_and_done()
    {
        using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/v1/chat/completions",
            Json.Chat("Tell me a story.", 12, stream: true, extra: ""","stream_options":{"include_usage":true}"""));
        Assert.Equal(200, (int)response.StatusCode);
        List<JsonElement> events = await ServerSentEventStream.ReadAsync(response);

        string id = events[0].GetProperty("id").GetString()!;
        Assert.StartsWith("chatcmpl-", id);
        foreach (JsonElement chunk in events)
        {
            Assert.Equal(id, chunk.GetProperty("id").GetString());
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal(RunningServer.ModelId, chunk.GetProperty("model").GetString());
            Assert.True(chunk.GetProperty("created").GetInt64() > 1_700_000_000);
        }
        // The first delta carries the role; only it does.
        Assert.Equal("assistant", events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.All(events.Skip(1).SkipLast(1), chunk => Assert.False(chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("role", out _)));

        // The last choice chunk: an empty delta and the finish reason; every chunk before it has finish_reason null.
        JsonElement finish = events[^2].GetProperty("choices")[0];
        Assert.Equal(JsonValueKind.Object, finish.GetProperty("delta").ValueKind);
        Assert.Empty(finish.GetProperty("delta").EnumerateObject());
        Assert.Equal("length", finish.GetProperty("finish_reason").GetString());
        Assert.All(events.SkipLast(2), chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));

        // include_usage: "usage": null on every chunk, then one with no choices and the counts.
        Assert.All(events.SkipLast(1), chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind));
        JsonElement last = events[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        JsonElement usage = last.GetProperty("usage");
        Assert.Equal(12, usage.GetProperty("completion_tokens").GetInt32());

        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new ChatMessage("user", "Tell me a story."));
        Assert.Equal(prompt.Length, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(prompt.Length + 12, usage.GetProperty("total_tokens").GetInt32());

        // The text is the model's greedy reply decoded alone.
        var text = new StringBuilder();
        foreach (JsonElement chunk in events.SkipLast(1))
            if (chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out JsonElement content)) text.Append(content.GetString());
        Assert.Equal(Reference.Text(local, Reference.GreedyAlone(local, prompt, 12)), text.ToString());
    }

    [Fact]
    public async Task Chat_stream_without_include_usage_has_no_usage_and_equals_the_non_streamed_reply()
    {
        using HttpResponseMessage streamed = await Json.PostAsync(Server.Http, "/v1/chat/completions", Json.Chat("Hello there", 9, stream: true));
        List<JsonElement> events = await ServerSentEventStream.ReadAsync(streamed);
        Assert.All(events, chunk => Assert.False(chunk.TryGetProperty("usage", out _)));
        Assert.All(events, chunk => Assert.Equal(1, chunk.GetProperty("choices").GetArrayLength()));
        string text = string.Concat(events.Select(chunk => chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out JsonElement c) ? c.GetString() : ""));

        using HttpResponseMessage whole = await Json.PostAsync(Server.Http, "/v1/chat/completions", Json.Chat("Hello there", 9));
        JsonElement body = await Json.ReadAsync(whole);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        JsonElement choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(text, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(9, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_stream_is_text_completion_chunks_and_equals_the_reference()
    {
        const string prompt = "Once upon a time";
        using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/v1/completions",
            $$$"""{"prompt":"{{{prompt}}}","max_tokens":10,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""");
        List<JsonElement> events = await ServerSentEventStream.ReadAsync(response);
        Assert.All(events, chunk => Assert.Equal("text_completion", chunk.GetProperty("object").GetString()));
        Assert.Single(events.Select(chunk => chunk.GetProperty("id").GetString()).Distinct());
        Assert.Equal("length", events[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(10, events[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        string text = string.Concat(events.SkipLast(1).Select(chunk => chunk.GetProperty("choices")[0].GetProperty("text").GetString()));

        LocalModel local = Server.Local;
        int[] ids = local.Tokenizer.Encode(prompt, addBos: local.Tokenizer.AddBos, parseSpecial: true);
        Assert.Equal(Reference.Text(local, Reference.GreedyAlone(local, ids, 10)), text);

        using HttpResponseMessage whole = await Json.PostAsync(Server.Http, "/v1/completions", $$"""{"prompt":"{{prompt}}","max_tokens":10,"temperature":0}""");
        JsonElement body = await Json.ReadAsync(whole);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Equal(text, body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(ids.Length, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Content_as_text_parts_is_the_same_message_as_a_string()
    {
        using HttpResponseMessage parts = await Json.PostAsync(Server.Http, "/v1/chat/completions",
            """{"messages":[{"role":"user","content":[{"type":"text","text":"Hello "},{"type":"text","text":"llama"}]}],"temperature":0,"max_tokens":6}""");
        using HttpResponseMessage text = await Json.PostAsync(Server.Http, "/v1/chat/completions", Json.Chat("Hello llama", 6));
        JsonElement a = await Json.ReadAsync(parts), b = await Json.ReadAsync(text);
        Assert.Equal(b.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
            a.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(b.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), a.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task A_stop_string_ends_the_reply_before_it_with_finish_reason_stop()
    {
        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new ChatMessage("user", "Stop me"));
        string full = Reference.Text(local, Reference.GreedyAlone(local, prompt, 20));
        // A stop string taken from the middle of the reference reply.
        string stop = full.Substring(full.Length / 2, Math.Min(3, full.Length - full.Length / 2));
        string expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];

        using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/v1/chat/completions",
            Json.Chat("Stop me", 20, extra: $$""","stop":[{{JsonSerializer.Serialize(stop)}}]"""));
        JsonElement body = await Json.ReadAsync(response);
        JsonElement choice = body.GetProperty("choices")[0];
        Assert.Equal(expected, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }
}
