using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LlamaGen.Models;
using LlamaGen.Sequences;

namespace LlamaGen.Chat;

/// <summary>
/// What <see cref="ChatSession.Save"/> writes: the conversation as JSON at <c>PATH</c> (format <c>llamagen-chat</c>, version 1:
/// the model's name, the messages, the prompt window and the shift state, and the count and XxHash3 of the tokens the
/// cache holds), and the cache itself at <c>PATH.kv</c> (<see cref="SequenceStateFile"/>) when it holds anything. Both are
/// written to temporary files and renamed. Reading checks the JSON (errors name the line) and that the cache file belongs
/// to it (same tokens), so a stale or foreign cache is never used.
/// </summary>
public static class ChatSessionFile
{
    private const string Format = "llamagen-chat";
    private const int Version = 1;

    /// <summary>What a file holds; <see cref="Sequence"/> is null when no cache was saved.</summary>
    public sealed record Contents(IReadOnlyList<ChatMessage> Messages, int DroppedMessages, bool IsShifted, int? LastEndToken, Sequence? Sequence);

    /// <summary>The cache file beside a conversation file.</summary>
    public static string CachePath(string path) => path + ".kv";

    internal static void Write(ChatSession session, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Sequence sequence = session.Sequence;
        string cache = CachePath(path);
        // The cache first: a conversation file never names a cache that is not there yet.
        if (sequence.Length > 0) sequence.Save(cache);
        else File.Delete(cache);

        string temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("format", Format);
                json.WriteNumber("version", Version);
                json.WriteString("model", sequence.Model.Shape.Name);
                json.WriteNumber("droppedMessages", session.DroppedMessages);
                json.WriteBoolean("shifted", session.IsShifted);
                if (session.LastEndToken is int end) json.WriteNumber("lastEndToken", end);
                else json.WriteNull("lastEndToken");
                json.WriteNumber("cacheTokens", sequence.Length);
                json.WriteString("cacheHash", TokenHash(sequence.Tokens));
                json.WriteStartArray("messages");
                foreach (ChatMessage message in session.Messages)
                {
                    json.WriteStartObject();
                    json.WriteString("role", message.Role);
                    if (message.Content is null) json.WriteNull("content");
                    else json.WriteString("content", message.Content);
                    if (message.Name is not null) json.WriteString("name", message.Name);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Reads a conversation and its cache for <paramref name="model"/>.</summary>
    /// <exception cref="ChatSessionFileException">The file is not a conversation file, is damaged, or its cache does not belong to it.</exception>
    public static Contents Read(ILlamaModel model, string path, SequenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChatSessionFileException(path, e.Message, e);
        }

        var messages = new List<ChatMessage>();
        int dropped, cacheTokens;
        bool shifted;
        int? end;
        string cacheHash;
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ChatSessionFileException(path, "the file is not a JSON object");
            if (String(root, "format", path) != Format) throw new ChatSessionFileException(path, $"\"format\" is not \"{Format}\": not a LlamaGen conversation");
            int version = Int(root, "version", path);
            if (version != Version) throw new ChatSessionFileException(path, $"\"version\" {version} is not supported (this LlamaGen reads {Version})");
            string name = String(root, "model", path);
            if (name != model.Shape.Name)
                throw new ChatSessionFileException(path, $"the conversation was saved with model '{name}', not '{model.Shape.Name}'");
            dropped = Int(root, "droppedMessages", path);
            shifted = root.TryGetProperty("shifted", out JsonElement s) && s.ValueKind == JsonValueKind.True;
            end = root.TryGetProperty("lastEndToken", out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : null;
            cacheTokens = Int(root, "cacheTokens", path);
            cacheHash = String(root, "cacheHash", path);
            if (!root.TryGetProperty("messages", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
                throw new ChatSessionFileException(path, "\"messages\" is missing or not an array");
            int index = 0;
            foreach (JsonElement message in list.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object) throw new ChatSessionFileException(path, $"messages[{index}] is not an object");
                if (!message.TryGetProperty("role", out JsonElement role) || role.ValueKind != JsonValueKind.String || role.GetString() is not { Length: > 0 } roleText)
                    throw new ChatSessionFileException(path, $"messages[{index}] has no \"role\" string");
                string? content = message.TryGetProperty("content", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                string? author = message.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                messages.Add(new ChatMessage(roleText, content) { Name = author });
                index++;
            }
        }
        catch (JsonException e)
        {
            throw new ChatSessionFileException(path, $"not valid JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {e.Message}", e);
        }

        Sequence? sequence = null;
        string cache = CachePath(path);
        if (cacheTokens > 0)
        {
            if (!File.Exists(cache))
                throw new ChatSessionFileException(path, $"its cache file {cache} is missing");
            sequence = Sequence.Load(model, cache, options);
            if (sequence.Length != cacheTokens || TokenHash(sequence.Tokens) != cacheHash)
            {
                sequence.Dispose();
                throw new ChatSessionFileException(path, $"the cache file {cache} holds other tokens than the conversation saved with it (a stale or foreign cache)");
            }
        }
        return new Contents(messages, dropped, shifted, end, sequence);
    }

    private static string String(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new ChatSessionFileException(path, $"\"{name}\" is missing or not a string");

    private static int Int(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= 0
            ? number
            : throw new ChatSessionFileException(path, $"\"{name}\" is missing or not a non-negative integer");

    private static string TokenHash(ReadOnlySpan<int> tokens) =>
        Convert.ToHexString(BitConverter.GetBytes(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(tokens))));
}
