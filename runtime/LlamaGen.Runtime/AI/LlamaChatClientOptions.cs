using LlamaGen.Chat;
using LlamaGen.Inference;
using LlamaGen.Sampling;

namespace LlamaGen.AI;

/// <summary>How a <see cref="LlamaChatClient"/> answers.</summary>
public sealed record LlamaChatClientOptions
{
    /// <summary>The model id the client reports (<see cref="Microsoft.Extensions.AI.ChatClientMetadata.DefaultModelId"/>); null: the model's name.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// What a request gets for what its <see cref="Microsoft.Extensions.AI.ChatOptions"/> leave unset: llama.cpp's server
    /// defaults (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05) and no token limit (the reply ends at an
    /// end-of-generation token or when the context is full).
    /// </summary>
    public GenerationOptions Defaults { get; init; } = new()
    {
        MaxNewTokens = int.MaxValue,
        Sampling = new SamplerOptions { Temperature = 0.8f, TopK = 40, TopP = 0.95f, MinP = 0.05f },
    };

    /// <summary>
    /// Keep conversations: a response then carries a <see cref="Microsoft.Extensions.AI.ChatResponse.ConversationId"/>, and a
    /// request with that id sends only its new messages; the conversation's KV cache stays between calls (as ONNX Runtime
    /// GenAI's client does with caching on). Off: every request sends the whole history, and the engine still reuses the
    /// longest cached prefix of an idle slot.
    /// </summary>
    public bool StoreConversations { get; init; }

    /// <summary>Conversations kept at most; the least recently used one beyond goes, and its id is refused afterwards.</summary>
    public int MaxConversations { get; init; } = 16;

    /// <summary>How stored conversations build prompts and what they do when the context is full.</summary>
    public ChatSessionOptions Session { get; init; } = new();

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Defaults, nameof(Defaults));
        Defaults.Validate();
        ArgumentNullException.ThrowIfNull(Session, nameof(Session));
        Session.Validate();
        if (MaxConversations < 1) throw new ArgumentOutOfRangeException(nameof(MaxConversations), MaxConversations, "MaxConversations must be >= 1.");
    }
}
