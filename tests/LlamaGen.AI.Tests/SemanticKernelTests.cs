using LlamaGen.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.AI.Tests;

/// <summary>Semantic Kernel over the LlamaGen <see cref="IChatClient"/>: a kernel built on it runs a prompt function.</summary>
public sealed class SemanticKernelTests
{
    [Fact]
    public async Task AKernelOnTheChatClientRunsAPromptFunction()
    {
        using LocalModel local = ChatModels.Load();
        using LlamaChatClient client = local.CreateChatClient();
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatClient>(client);
        builder.Services.AddSingleton<IChatCompletionService>(client.AsChatCompletionService());
        Kernel kernel = builder.Build();

        KernelFunction function = kernel.CreateFunctionFromPrompt("Write one sentence about {{$topic}}.");
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["temperature"] = 0, ["max_tokens"] = 12 } };
        FunctionResult result = await kernel.InvokeAsync(function, new KernelArguments(settings) { ["topic"] = "the moon" });

        // The kernel rendered the prompt as one user message; the reply is the greedy reply to it.
        string expected = local.Tokenizer.Decode(ChatModels.GreedyAlone(local, ChatModels.PromptIds(local, new LlamaChatMessage("user", "Write one sentence about the moon.")), 12));
        Assert.Equal(expected, result.GetValue<string>());

        // And through SK's chat service, streamed.
        var history = new ChatHistory("Be brief.");
        history.AddUserMessage("Hello!");
        var text = new System.Text.StringBuilder();
        await foreach (var chunk in kernel.GetRequiredService<IChatCompletionService>().GetStreamingChatMessageContentsAsync(history, settings, kernel))
            text.Append(chunk.Content);
        string expectedChat = local.Tokenizer.Decode(ChatModels.GreedyAlone(local,
            ChatModels.PromptIds(local, new LlamaChatMessage("system", "Be brief."), new LlamaChatMessage("user", "Hello!")), 12));
        Assert.Equal(expectedChat, text.ToString());
    }
}
