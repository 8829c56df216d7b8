using System.Text.Json;
using LlamaGen.Hosting;

namespace LlamaGen.Server.Tests;

/// <summary><c>/tokenize</c> and <c>/detokenize</c> in llama.cpp's shapes, against the runtime's tokenizer (checked against llama.cpp elsewhere).</summary>
public sealed class TokenizeTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    [Theory]
    [InlineData("Hello world, llamas!", false)]
    [InlineData("Hello world, llamas!", true)]
    [InlineData("<s>[INST] special [/INST]", false)]
    public async Task Tokenize_equals_the_model_tokenizer(string content, bool addSpecial)
    {
        using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/tokenize",
            JsonSerializer.Serialize(new Dictionary<string, object> { ["content"] = content, ["add_special"] = addSpecial }));
        JsonElement body = await Json.ReadAsync(response);
        int[] tokens = [.. body.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())];
        LocalModel local = Server.Local;
        Assert.Equal(local.Tokenizer.Encode(content, addBos: addSpecial, parseSpecial: true), tokens);
        // add_special puts BOS first; "<s>" in the text is parsed as BOS either way.
        Assert.Equal(addSpecial || content.StartsWith("<s>", StringComparison.Ordinal), tokens[0] == local.Tokenizer.BosId);
    }

    [Fact]
    public async Task Detokenize_inverts_tokenize()
    {
        const string content = "The llama walked up the hill.";
        using HttpResponseMessage tokenized = await Json.PostAsync(Server.Http, "/tokenize", $$"""{"content":"{{content}}"}""");
        string tokens = (await Json.ReadAsync(tokenized)).GetProperty("tokens").GetRawText();
        using HttpResponseMessage detokenized = await Json.PostAsync(Server.Http, "/detokenize", $$"""{"tokens":{{tokens}}}""");
        Assert.Equal(content, (await Json.ReadAsync(detokenized)).GetProperty("content").GetString());
    }

    [Fact]
    public async Task With_pieces_gives_ids_and_pieces()
    {
        using HttpResponseMessage response = await Json.PostAsync(Server.Http, "/tokenize", """{"content":"Hello","with_pieces":true}""");
        JsonElement first = (await Json.ReadAsync(response)).GetProperty("tokens")[0];
        int id = first.GetProperty("id").GetInt32();
        Assert.Equal(Server.Local.Tokenizer.TokenToPiece(id), first.GetProperty("piece").GetString());
    }
}
