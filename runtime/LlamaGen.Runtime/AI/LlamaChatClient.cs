using System.Runtime.CompilerServices;
using LlamaGen.Chat;
using LlamaGen.Inference;
using LlamaGen.Models;
using LlamaGen.Tokenization;
using Microsoft.Extensions.AI;
using LlamaChatMessage = LlamaGen.Chat.ChatMessage;

namespace LlamaGen.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over an <see cref="InferenceEngine"/>: messages rendered with the
/// model's chat template, the reply streamed token by token, the last update carrying <see cref="ChatFinishReason"/> and
/// <see cref="UsageContent"/>. Any number of calls run at once, from any thread, batched by the engine; each gets exactly
/// the tokens it would get alone. With <see cref="LlamaChatClientOptions.StoreConversations"/>, a response's
/// <see cref="ChatResponse.ConversationId"/> names a conversation whose KV cache the client keeps, and the next call with
/// it sends only the new messages.
/// </summary>
public sealed class LlamaChatClient : IChatClient
{
    private readonly InferenceEngine engine;
    private readonly ChatPrompt prompt;
    private readonly LlamaChatClientOptions options;
    private readonly ChatClientMetadata metadata;
    private readonly ConversationStore conversations;

    public LlamaChatClient(InferenceEngine engine, ChatPrompt prompt, LlamaChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(prompt);
        this.options = options ?? new LlamaChatClientOptions();
        this.options.Validate();
        this.engine = engine;
        this.prompt = prompt;
        ModelId = this.options.ModelId ?? engine.Model.Shape.Name;
        metadata = new ChatClientMetadata("LlamaGen", defaultModelId: ModelId);
        conversations = new ConversationStore(this.options.MaxConversations);
    }

    /// <summary>The model id responses carry.</summary>
    public string ModelId { get; }

    public InferenceEngine Engine => engine;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        // Checked at the call, before anything is queued: an option the engine cannot honour is an error, not ignored.
        GenerationOptions generation = ChatOptionsTranslator.Generation(options, this.options.Defaults, ModelId, this);
        List<LlamaChatMessage> converted = ChatOptionsTranslator.Messages(messages, options?.Instructions);
        return Stream(converted, generation, options?.ConversationId, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(List<LlamaChatMessage> messages, GenerationOptions generation, string? conversationId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string responseId = Guid.NewGuid().ToString("N");
        string messageId = Guid.NewGuid().ToString("N");
        IAsyncEnumerable<GenerationUpdate> updates;
        if (conversationId is not null || options.StoreConversations)
        {
            ChatSession session;
            if (conversationId is null)
            {
                if (messages.Count == 0) throw new ArgumentException("A new conversation needs at least one message.", nameof(messages));
                session = new ChatSession(engine, prompt, options.Session);
                conversationId = conversations.Add(session);
            }
            else
            {
                session = conversations.Get(conversationId) ?? throw new ArgumentException(
                    $"ChatOptions.ConversationId '{conversationId}' is not a conversation of this client (never made here, or dropped after {options.MaxConversations} more recent ones).");
            }
            foreach (LlamaChatMessage message in messages) session.Add(message);
            updates = session.ReplyAsync(generation, cancellationToken);
        }
        else
        {
            if (messages.Count == 0) throw new ArgumentException("There are no messages to answer.", nameof(messages));
            int[] tokens = prompt.Tokenize(engine.Tokenizer, messages, new ChatPromptOptions { AddGenerationPrompt = true });
            updates = engine.GenerateAsync(new GenerationRequest(tokens, generation), cancellationToken);
        }

        await foreach (GenerationUpdate update in updates.ConfigureAwait(false))
        {
            if (update.Token.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, update.Token.Text)
                {
                    ResponseId = responseId,
                    MessageId = messageId,
                    ModelId = ModelId,
                    ConversationId = conversationId,
                    CreatedAt = DateTimeOffset.UtcNow,
                };
            }
            if (update.StopReason is { } reason)
            {
                yield return new ChatResponseUpdate
                {
                    Role = ChatRole.Assistant,
                    FinishReason = ChatOptionsTranslator.FinishReason(reason),
                    Contents =
                    [
                        new UsageContent(new UsageDetails
                        {
                            InputTokenCount = update.PromptTokens,
                            OutputTokenCount = update.GeneratedTokens,
                            TotalTokenCount = update.PromptTokens + update.GeneratedTokens,
                            CachedInputTokenCount = update.CachedPromptTokens,
                        }),
                    ],
                    ResponseId = responseId,
                    MessageId = messageId,
                    ModelId = ModelId,
                    ConversationId = conversationId,
                    CreatedAt = DateTimeOffset.UtcNow,
                };
            }
        }
    }

    /// <summary>The stored conversation <paramref name="conversationId"/> names, or null.</summary>
    public ChatSession? GetConversation(string conversationId) => conversations.Get(conversationId);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? metadata
            : serviceType == typeof(InferenceEngine) ? engine
            : serviceType == typeof(ILlamaModel) ? engine.Model
            : serviceType == typeof(Tokenizer) ? engine.Tokenizer
            : serviceType == typeof(ChatPrompt) ? prompt
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Frees the stored conversations' caches; the engine is the caller's.</summary>
    public void Dispose() => conversations.Dispose();
}
