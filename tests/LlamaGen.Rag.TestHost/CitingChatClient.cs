using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LlamaGen.Rag.TestDoubles;

/// <summary>
/// TEST DOUBLE, not a model: answers with the first sentence of each of the first two numbered passages of the prompt,
/// each followed by its citation, streamed a word at a time; "I do not know." when the prompt has no passages.
/// </summary>
public sealed partial class CitingChatClient : IChatClient
{
    [GeneratedRegex(@"^\[(\d+)\] [^\n]*\n([^\n]*)", RegexOptions.Multiline)]
    private static partial Regex NumberedPassage();

    /// <summary>The messages of the last request, for tests of the prompt.</summary>
    public IReadOnlyList<ChatMessage>? LastMessages { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LastMessages = messages.ToList();
        string prompt = LastMessages[^1].Text;
        var answer = new List<string>();
        foreach (Match match in NumberedPassage().Matches(prompt).Take(2))
        {
            string text = match.Groups[2].Value;
            int end = text.IndexOfAny(['.', '!', '?']);
            answer.Add($"{(end > 0 ? text[..(end + 1)] : text)} [{match.Groups[1].Value}]");
        }
        string reply = answer.Count == 0 ? "I do not know." : string.Join(" ", answer);
        foreach (string word in reply.Split(' '))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
