// Shared source: compiled into the runtime (SpecJsonReader, SpecJsonWriter) and linked into the generator (SpecParser),
// so a spec means the same to both: the keys, their defaults, the limits and the messages that explain a violation.
// netstandard2.0-safe C#.
using System.Collections.Generic;

#if LLAMAGEN_GENERATOR
namespace LlamaGen.Generator.Shared;
#else
namespace LlamaGen.Specs;
#endif

/// <summary>The rules of a model spec: keys (the GGUF <c>llama.*</c> metadata names), defaults, and the shape checks.</summary>
internal static class SpecRules
{
    public const string NameKey = "name";
    public const string ArchitectureKey = "architecture";
    public const string EmbeddingLengthKey = "embedding_length";
    public const string BlockCountKey = "block_count";
    public const string HeadCountKey = "attention.head_count";
    public const string HeadCountKvKey = "attention.head_count_kv";
    /// <summary>
    /// Optional: dimensions per attention head (GGUF <c>llama.attention.key_length</c>, llama.cpp's n_embd_head_k), for
    /// models whose heads are not embedding_length / head_count wide (Mistral Nemo: 5120 / 32 heads of 128).
    /// </summary>
    public const string HeadDimensionKey = "attention.key_length";
    public const string FeedForwardLengthKey = "feed_forward_length";
    public const string VocabSizeKey = "vocab_size";
    public const string ContextLengthKey = "context_length";
    public const string RopeFreqBaseKey = "rope.freq_base";
    public const string RmsEpsilonKey = "attention.layer_norm_rms_epsilon";
    public const string WeightTypesKey = "weight_types";

    /// <summary>Every key a spec may have, in the order specs write them.</summary>
    public static readonly string[] KnownKeys =
    {
        NameKey, ArchitectureKey, EmbeddingLengthKey, BlockCountKey, HeadCountKey, HeadCountKvKey, HeadDimensionKey,
        FeedForwardLengthKey, VocabSizeKey, ContextLengthKey, RopeFreqBaseKey, RmsEpsilonKey, WeightTypesKey,
    };

    /// <summary>The only architecture LlamaGen compiles.</summary>
    public const string Architecture = "llama";

    // Llama 2's values; llama.cpp uses the same when a GGUF file omits the key.
    public const double DefaultRopeFreqBase = 10000.0;
    public const double DefaultRmsEpsilon = 1e-5;

    /// <summary>What a required key holds, for the message that says it is missing.</summary>
    public static string Hint(string key)
    {
        switch (key)
        {
            case NameKey: return "the model's name, e.g. \"llama2-7b\"";
            case ArchitectureKey: return "\"llama\"";
            case EmbeddingLengthKey: return "the model dimension, GGUF llama.embedding_length";
            case BlockCountKey: return "the number of transformer blocks, GGUF llama.block_count";
            case HeadCountKey: return "the number of query heads, GGUF llama.attention.head_count";
            case HeadDimensionKey: return "the dimensions of one attention head, GGUF llama.attention.key_length (default embedding_length / attention.head_count)";
            case FeedForwardLengthKey: return "the hidden size of the feed-forward block, GGUF llama.feed_forward_length";
            case VocabSizeKey: return "the number of tokens in the vocabulary";
            case ContextLengthKey: return "the maximum sequence length, GGUF llama.context_length";
            case WeightTypesKey: return "the tensor types to emit kernels for, e.g. [\"f32\", \"f16\", \"q8_0\", \"q4_0\"]";
            default: return "";
        }
    }

    // The messages of the shape checks (composite format strings; the generator's diagnostics use the same text).
    public const string HeadsDoNotDivideEmbeddingMessage =
        "attention.head_count {0} does not divide embedding_length {1}; every head needs the same whole number of dimensions. Use a head count that divides {1}.";
    public const string KvHeadsDoNotDivideHeadsMessage =
        "attention.head_count_kv {0} does not divide attention.head_count {1}; grouped-query attention shares each KV head with the same number of query heads. Use a KV head count that divides {1}.";
    public const string OddHeadDimensionMessage =
        "The head dimension embedding_length / attention.head_count = {0} is odd; rotary position embedding rotates pairs of dimensions. Choose sizes that give an even head dimension.";
    public const string KvCacheTooLargeMessage =
        "block_count {0} x context_length {1} x KV dimension {2} = {3} values per cache, more than {4}. Lower context_length.";
    public const string OutOfRangeMessage = "\"{0}\" is {1}; {2}";

    /// <summary>Which rule a shape breaks.</summary>
    public enum Problem
    {
        HeadsDoNotDivideEmbedding,
        OddHeadDimension,
        KvHeadsDoNotDivideHeads,
        KvCacheTooLarge,
        /// <summary>A product of dimensions overflows the int indexing of the generated code (<see cref="OutOfRangeMessage"/>).</summary>
        OutOfRange,
    }

    /// <summary>A broken rule: the key to point at, and the message's format and arguments.</summary>
    public sealed class Violation
    {
        public Violation(Problem problem, string key, string format, object[] arguments)
        {
            Kind = problem;
            Key = key;
            Format = format;
            Arguments = arguments;
        }

        public Problem Kind { get; }
        public string Key { get; }
        public string Format { get; }
        public object[] Arguments { get; }

        public string Message => string.Format(System.Globalization.CultureInfo.InvariantCulture, Format, Arguments);
    }

    /// <summary>
    /// The shape checks, in the order they are reported; empty when the shape can be compiled. Every buffer and matrix is
    /// indexed with int in the generated code, so products of dimensions must fit one. <paramref name="headDimension"/> is
    /// the stated <see cref="HeadDimensionKey"/>, or 0 for embedding / heads.
    /// </summary>
    public static List<Violation> Check(int embedding, int blocks, int heads, int kvHeads, int feedForward, int vocab, int context, int headDimension = 0)
    {
        var violations = new List<Violation>();
        if (headDimension == 0 && embedding % heads != 0)
            violations.Add(new Violation(Problem.HeadsDoNotDivideEmbedding, HeadCountKey, HeadsDoNotDivideEmbeddingMessage, new object[] { heads, embedding }));
        else if (headDimension == 0 && embedding / heads % 2 != 0)
            violations.Add(new Violation(Problem.OddHeadDimension, HeadCountKey, OddHeadDimensionMessage, new object[] { embedding / heads }));
        else if (headDimension % 2 != 0)
            violations.Add(OutOfRange(HeadDimensionKey, headDimension, "rotary position embedding rotates pairs of dimensions. Use an even head size."));
        else if (heads % kvHeads != 0)
            violations.Add(new Violation(Problem.KvHeadsDoNotDivideHeads, HeadCountKvKey, KvHeadsDoNotDivideHeadsMessage, new object[] { kvHeads, heads }));
        else
        {
            long kvDimension = (long)(headDimension == 0 ? embedding / heads : headDimension) * kvHeads;
            long cacheValues = (long)blocks * context * kvDimension;
            if (cacheValues > int.MaxValue)
                violations.Add(new Violation(Problem.KvCacheTooLarge, ContextLengthKey, KvCacheTooLargeMessage,
                    new object[] { blocks, context, kvDimension, cacheValues, int.MaxValue }));
        }
        if ((long)embedding * embedding > int.MaxValue)
            violations.Add(OutOfRange(EmbeddingLengthKey, embedding,
                $"a {embedding} x {embedding} attention matrix has more than {int.MaxValue} elements. Use a smaller embedding_length."));
        if (headDimension != 0 && (long)heads * headDimension * embedding > int.MaxValue)
            violations.Add(OutOfRange(HeadDimensionKey, headDimension,
                $"a {(long)heads * headDimension} x {embedding} attention matrix has more than {int.MaxValue} elements. Use smaller dimensions."));
        if ((long)heads * context > int.MaxValue)
            violations.Add(OutOfRange(ContextLengthKey, context,
                $"the attention scores of {heads} heads x {context} positions are more than {int.MaxValue} values. Lower context_length."));
        if ((long)feedForward * embedding > int.MaxValue)
            violations.Add(OutOfRange(FeedForwardLengthKey, feedForward,
                $"a {feedForward} x {embedding} matrix has more than {int.MaxValue} elements. Use smaller dimensions."));
        if ((long)vocab * embedding > int.MaxValue)
            violations.Add(OutOfRange(VocabSizeKey, vocab,
                $"a {vocab} x {embedding} embedding table has more than {int.MaxValue} elements. Use a smaller vocabulary."));
        return violations;
    }

    private static Violation OutOfRange(string key, int value, string why) =>
        new Violation(Problem.OutOfRange, key, OutOfRangeMessage, new object[] { key, value, why });
}
