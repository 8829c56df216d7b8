using System.ClientModel;
using LlamaGen.Hosting;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.Server.Tests;

/// <summary>The official OpenAI .NET package pointed at the server: chat, streaming, embeddings (base64, its default), models.</summary>
public sealed class OpenAIClientTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    private OpenAIClient Client => new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = Server.OpenAIEndpoint });

    [Fact]
    public async Task Chat_completion_is_the_greedy_reply_with_usage_and_finish_reason()
    {
        ChatClient chat = Client.GetChatClient(RunningServer.ModelId);
        ChatCompletion completion = await chat.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("What is a llama?")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 10 });

        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new LlamaChatMessage("system", "You are terse."), new LlamaChatMessage("user", "What is a llama?"));
        Assert.Equal(Reference.Text(local, Reference.GreedyAlone(local, prompt, 10)), completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(prompt.Length, completion.Usage.InputTokenCount);
        Assert.Equal(10, completion.Usage.OutputTokenCount);
        Assert.Equal(RunningServer.ModelId, completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id);
    }

    [Fact]
    public async Task Streaming_chat_gives_the_same_text_and_the_usage_last()
    {
        ChatClient chat = Client.GetChatClient(RunningServer.ModelId);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };
        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("Stream this")], options);

        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        int updates = 0;
        await foreach (StreamingChatCompletionUpdate update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream this")],
                           new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 }))
        {
            updates++;
            foreach (ChatMessageContentPart part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.True(updates > 2, $"{updates} updates");
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        // The package asks for stream_options.include_usage itself.
        Assert.NotNull(usage);
        Assert.Equal(8, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Embeddings_equal_the_in_process_generator()
    {
        EmbeddingClient embeddings = Client.GetEmbeddingClient(RunningServer.ModelId);
        OpenAIEmbeddingCollection result = await embeddings.GenerateEmbeddingsAsync(["a llama in the Andes", "an alpaca"]);
        Assert.Equal(2, result.Count);

        using var generator = Server.Local.CreateEmbeddingGenerator();
        var expected = await generator.GenerateAsync(["a llama in the Andes", "an alpaca"]);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(i, result[i].Index);
            Assert.Equal(expected[i].Vector.ToArray(), result[i].ToFloats().ToArray());
        }
        Assert.True(result.Usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task Models_lists_the_served_model()
    {
        OpenAIModelClient models = Client.GetOpenAIModelClient();
        OpenAIModelCollection list = await models.GetModelsAsync();
        OpenAIModel model = Assert.Single(list);
        Assert.Equal(RunningServer.ModelId, model.Id);
        Assert.Equal("llamagen", model.OwnedBy);
    }
}
