using System.Text.Json;

namespace LlamaGen.Server.Tests;

/// <summary>Raw <c>/v1/embeddings</c> shapes (float and base64, strings and token ids) and seeded sampling through HTTP.</summary>
public sealed class EmbeddingsAndSamplingTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    private async Task<JsonElement> EmbedAsync(string body)
    {
        using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/v1/embeddings", body);
        Assert.Equal(200, (int)response.StatusCode);
        return await Json.ReadAsync(response);
    }

    [Fact]
    public async Task Float_and_base64_encodings_carry_the_same_vectors_as_the_in_process_generator()
    {
        JsonElement floats = await EmbedAsync("""{"input":["a llama","two alpacas"],"encoding_format":"float"}""");
        JsonElement base64 = await EmbedAsync("""{"input":["a llama","two alpacas"],"encoding_format":"base64"}""");
        Assert.Equal("list", floats.GetProperty("object").GetString());
        using var generator = Server.Local.CreateEmbeddingGenerator();
        var expected = await generator.GenerateAsync(["a llama", "two alpacas"]);
        for (int i = 0; i < 2; i++)
        {
            JsonElement item = floats.GetProperty("data")[i];
            Assert.Equal("embedding", item.GetProperty("object").GetString());
            Assert.Equal(i, item.GetProperty("index").GetInt32());
            float[] vector = [.. item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];
            Assert.Equal(expected[i].Vector.ToArray(), vector);
            byte[] bytes = Convert.FromBase64String(base64.GetProperty("data")[i].GetProperty("embedding").GetString()!);
            float[] decoded = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, decoded, 0, bytes.Length);
            Assert.Equal(vector, decoded);
        }
        int tokens = Server.Local.Tokenizer.Encode("a llama", Server.Local.Tokenizer.AddBos).Length + Server.Local.Tokenizer.Encode("two alpacas", Server.Local.Tokenizer.AddBos).Length;
        Assert.Equal(tokens, floats.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Token_id_inputs_embed_as_their_text_does()
    {
        int[] ids = Server.Local.Tokenizer.Encode("a llama", Server.Local.Tokenizer.AddBos);
        JsonElement byText = await EmbedAsync("""{"input":"a llama","encoding_format":"float"}""");
        JsonElement byIds = await EmbedAsync($$"""{"input":[{{string.Join(',', ids)}}],"encoding_format":"float"}""");
        JsonElement nested = await EmbedAsync($$"""{"input":[[{{string.Join(',', ids)}}]],"encoding_format":"float"}""");
        string expected = byText.GetProperty("data")[0].GetProperty("embedding").GetRawText();
        Assert.Equal(expected, byIds.GetProperty("data")[0].GetProperty("embedding").GetRawText());
        Assert.Equal(expected, nested.GetProperty("data")[0].GetProperty("embedding").GetRawText());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_sampled_reply_and_another_seed_another()
    {
        const string extra = ""","temperature":1.0,"top_k":0,"top_p":1,"min_p":0""";
        async Task<string> ReplyAsync(int seed)
        {
            using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/v1/chat/completions",
                Json.Chat("Surprise me", 24).Replace("\"temperature\":0,", "") [..^1] + extra + $",\"seed\":{seed}}}");
            JsonElement body = await Json.ReadAsync(response);
            return body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        }
        string first = await ReplyAsync(42);
        Assert.Equal(first, await ReplyAsync(42));
        // 24 tokens drawn at temperature 1 from a 32,000-token vocabulary: another seed gives another reply.
        Assert.NotEqual(first, await ReplyAsync(43));
    }
}
