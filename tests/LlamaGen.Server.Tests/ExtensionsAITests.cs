using System.ClientModel;
using LlamaGen.Hosting;
using Microsoft.Extensions.AI;
using OpenAI;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.Server.Tests;

/// <summary>Microsoft.Extensions.AI.OpenAI's IChatClient and IEmbeddingGenerator over the OpenAI package, pointed at the server.</summary>
public sealed class ExtensionsAITests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    private OpenAIClient Client => new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = Server.OpenAIEndpoint });

    [Fact]
    public async Task IChatClient_response_and_stream_are_the_greedy_reply()
    {
        using IChatClient chat = Client.GetChatClient(RunningServer.ModelId).AsIChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 7, StopSequences = null };
        ChatResponse response = await chat.GetResponseAsync("Name a colour.", options);

        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new LlamaChatMessage("user", "Name a colour."));
        string expected = Reference.Text(local, Reference.GreedyAlone(local, prompt, 7));
        Assert.Equal(expected, response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(prompt.Length, response.Usage?.InputTokenCount);
        Assert.Equal(7, response.Usage?.OutputTokenCount);

        ChatResponse streamed = await chat.GetStreamingResponseAsync("Name a colour.", options).ToChatResponseAsync();
        Assert.Equal(expected, streamed.Text);
        Assert.Equal(ChatFinishReason.Length, streamed.FinishReason);
    }

    [Fact]
    public async Task IEmbeddingGenerator_equals_the_in_process_generator()
    {
        using IEmbeddingGenerator<string, Embedding<float>> remote = Client.GetEmbeddingClient(RunningServer.ModelId).AsIEmbeddingGenerator();
        GeneratedEmbeddings<Embedding<float>> result = await remote.GenerateAsync(["one", "two words", "three short words"]);
        using var local = Server.Local.CreateEmbeddingGenerator();
        var expected = await local.GenerateAsync(["one", "two words", "three short words"]);
        Assert.Equal(3, result.Count);
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i].Vector.ToArray(), result[i].Vector.ToArray());
    }
}
