using System.Text.Json;

namespace LlamaGen.TestSupport.Reference;

/// <summary>What llama2.c's run.c printed for stories260K (greedy, from BOS), read from the golden JSON.</summary>
public sealed record GoldenOutput(string Prompt, bool Bos, float Temperature, int Steps, string ReferenceText)
{
    public static GoldenOutput Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        JsonElement Get(string name) => root.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidDataException($"{path}: missing \"{name}\".");
        return new GoldenOutput(
            Get("prompt").GetString()!, Get("bos").GetBoolean(), Get("temperature").GetSingle(),
            Get("steps").GetInt32(), Get("reference_text").GetString()!);
    }

    /// <summary>
    /// run.c's generation loop with greedy sampling: feed BOS at position 0, take the argmax, stop when it is BOS
    /// or after <see cref="Steps"/> positions. Returns the generated ids (without the leading BOS).
    /// </summary>
    public List<int> GreedyIds(Func<int, int, ReadOnlyMemory<float>> forward)
    {
        if (Prompt.Length != 0 || !Bos || Temperature != 0)
            throw new NotSupportedException("The golden decode helper covers greedy decoding from BOS alone.");
        var ids = new List<int>();
        int token = 1;
        for (int pos = 0; pos < Steps; pos++)
        {
            int next = ReferenceLlama.ArgMax(forward(token, pos).Span);
            if (next == 1) break;
            ids.Add(next);
            token = next;
        }
        return ids;
    }
}
