using LlamaGen.Chat;

namespace LlamaGen.AI;

/// <summary>The conversations a <see cref="LlamaChatClient"/> keeps, by id, least recently used first out. Thread-safe.</summary>
internal sealed class ConversationStore : IDisposable
{
    private readonly int capacity;
    private readonly Lock gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, ChatSession Session)>> byId = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Id, ChatSession Session)> recency = new();

    public ConversationStore(int capacity) => this.capacity = capacity;

    /// <summary>Stores <paramref name="session"/> under a new id; the least recently used conversation beyond the capacity goes.</summary>
    public string Add(ChatSession session)
    {
        string id = "llamagen-" + Guid.NewGuid().ToString("N");
        ChatSession? evicted = null;
        lock (gate)
        {
            byId[id] = recency.AddFirst((id, session));
            if (byId.Count > capacity)
            {
                var oldest = recency.Last!;
                recency.RemoveLast();
                byId.Remove(oldest.Value.Id);
                evicted = oldest.Value.Session;
            }
        }
        // A conversation replying right now stops when it is dropped (its cache is freed when the engine lets go of it).
        evicted?.Dispose();
        return id;
    }

    public ChatSession? Get(string id)
    {
        lock (gate)
        {
            if (!byId.TryGetValue(id, out var node)) return null;
            recency.Remove(node);
            recency.AddFirst(node);
            return node.Value.Session;
        }
    }

    public void Dispose()
    {
        List<ChatSession> sessions;
        lock (gate)
        {
            sessions = [.. recency.Select(static entry => entry.Session)];
            recency.Clear();
            byId.Clear();
        }
        foreach (ChatSession session in sessions) session.Dispose();
    }
}
