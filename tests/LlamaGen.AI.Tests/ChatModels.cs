using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sequences;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Models;

namespace LlamaGen.AI.Tests;

/// <summary>
/// The test models as chat models: llama-2-tiny-random (Llama 2's real vocabulary, a tiny random model) written once with
/// the Llama 2-Chat template as its <c>tokenizer.chat_template</c>, and the greedy reference every batched result is
/// compared with: the same model decoding one sequence alone, token by token, through <see cref="SequenceDecoder"/>.
/// </summary>
public static class ChatModels
{
    /// <summary>llama-2-tiny-random with the Llama 2-Chat template.</summary>
    public static string ChatGguf => TinyChatGguf.Path;

    /// <summary>Loads the chat model; the engine decodes up to <paramref name="parallel"/> requests together.</summary>
    public static LocalModel Load(int parallel = 8, int? contextLength = 512, int threads = 1) =>
        LocalModel.Load(ChatGguf, TestModelCatalog.All, new LocalModelOptions
        {
            Threads = threads,
            ContextLength = contextLength,
            Engine = new InferenceEngineOptions { MaxParallel = parallel, BatchCapacity = 64, PromptChunk = 16 },
        });

    /// <summary>
    /// What the model generates for <paramref name="prompt"/> decoding it alone, greedy (lowest id on ties), until an
    /// end-of-generation token or <paramref name="maxTokens"/>: the reference for every engine result.
    /// </summary>
    public static int[] GreedyAlone(LocalModel local, IReadOnlyList<int> prompt, int maxTokens)
    {
        using var decoder = new SequenceDecoder(local.Model, new SequenceOptions { ContextLength = local.Engine.ContextLength });
        var logits = new float[local.Model.Shape.VocabSize];
        decoder.ForwardPrompt([.. prompt], 0, logits);
        var generated = new List<int>();
        int capacity = decoder.Sequence.Capacity;
        while (true)
        {
            // Where the sampled token goes; one at the context's end is returned but cannot be fed (GenerationState's rule).
            int position = prompt.Count + generated.Count;
            int next = ArgMax(logits);
            if (local.Tokenizer.IsEndOfGeneration(next) || next == local.Tokenizer.BosId) break;
            generated.Add(next);
            if (generated.Count == maxTokens || position >= capacity) break;
            decoder.Forward(next, position, logits);
        }
        return [.. generated];
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>The ids of a prompt for <paramref name="messages"/> with the model's template, ending with the assistant's turn.</summary>
    public static int[] PromptIds(LocalModel local, params ChatMessage[] messages) =>
        local.ChatPrompt.Tokenize(local.Tokenizer, messages, new ChatPromptOptions { AddGenerationPrompt = true });
}
