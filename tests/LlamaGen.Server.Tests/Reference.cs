using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Sequences;

namespace LlamaGen.Server.Tests;

/// <summary>
/// What the model answers decoding one sequence alone, token by token, greedy, outside the engine (the reference the AI
/// tests use too): the oracle for the server's replies at temperature 0.
/// </summary>
public static class Reference
{
    public static int[] ChatPrompt(LocalModel local, params ChatMessage[] messages) =>
        local.ChatPrompt.Tokenize(local.Tokenizer, messages, new ChatPromptOptions { AddGenerationPrompt = true });

    public static int[] GreedyAlone(LocalModel local, IReadOnlyList<int> prompt, int maxTokens)
    {
        using var decoder = new SequenceDecoder(local.Model, new SequenceOptions { ContextLength = local.Engine.ContextLength });
        var logits = new float[local.Model.Shape.VocabSize];
        decoder.ForwardPrompt([.. prompt], 0, logits);
        var generated = new List<int>();
        while (true)
        {
            int position = prompt.Count + generated.Count;
            int next = ArgMax(logits);
            if (local.Tokenizer.IsEndOfGeneration(next) || next == local.Tokenizer.BosId) break;
            generated.Add(next);
            if (generated.Count == maxTokens || position >= decoder.Sequence.Capacity) break;
            decoder.Forward(next, position, logits);
        }
        return [.. generated];
    }

    /// <summary>The text of generated <paramref name="ids"/> as a stream shows it: each token's piece, in order.</summary>
    public static string Text(LocalModel local, IReadOnlyList<int> ids) => local.Tokenizer.Decode([.. ids]);

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
