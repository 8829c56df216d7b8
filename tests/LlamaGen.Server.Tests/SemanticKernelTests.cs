using LlamaGen.Hosting;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.Server.Tests;

/// <summary>Semantic Kernel's OpenAI connector pointed at the server (a custom endpoint, as for any OpenAI-compatible server).</summary>
public sealed class SemanticKernelTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private RunningServer Server => shared.Running;

    [Fact]
    public async Task Chat_completion_service_answers_and_streams_the_greedy_reply()
    {
        Kernel kernel = Kernel.CreateBuilder()
            .AddOpenAIChatCompletion(modelId: RunningServer.ModelId, endpoint: Server.OpenAIEndpoint, apiKey: "unused")
            .Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory("Answer briefly.");
        history.AddUserMessage("Where do llamas live?");
        var settings = new OpenAIPromptExecutionSettings { Temperature = 0, MaxTokens = 9 };

        ChatMessageContent reply = await chat.GetChatMessageContentAsync(history, settings, kernel);

        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new LlamaChatMessage("system", "Answer briefly."), new LlamaChatMessage("user", "Where do llamas live?"));
        string expected = Reference.Text(local, Reference.GreedyAlone(local, prompt, 9));
        Assert.Equal(expected, reply.Content);
        Assert.Equal(AuthorRole.Assistant, reply.Role);

        var streamed = new System.Text.StringBuilder();
        await foreach (StreamingChatMessageContent update in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel))
            streamed.Append(update.Content);
        Assert.Equal(expected, streamed.ToString());
    }

    [Fact]
    public async Task Kernel_prompt_function_runs_on_the_server()
    {
        Kernel kernel = Kernel.CreateBuilder()
            .AddOpenAIChatCompletion(modelId: RunningServer.ModelId, endpoint: Server.OpenAIEndpoint, apiKey: "unused")
            .Build();
        FunctionResult result = await kernel.InvokePromptAsync("Say {{$word}}.", new KernelArguments(new OpenAIPromptExecutionSettings { Temperature = 0, MaxTokens = 5 })
        {
            ["word"] = "hello",
        });

        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new LlamaChatMessage("user", "Say hello."));
        Assert.Equal(Reference.Text(local, Reference.GreedyAlone(local, prompt, 5)), result.GetValue<string>());
    }
}
