namespace LlamaGen.Rag.Bench;

/// <summary>
/// Synthetic passages: ~80 words drawn Zipf-like from a vocabulary of pseudo-words (so BM25 has realistic term
/// statistics), and vectors near one of 200 random cluster centres (real embeddings cluster by topic; uniform random
/// vectors would be the worst case for HNSW and unlike any model's).
/// </summary>
public sealed class SyntheticCorpus(int dimensions, int seed = 42)
{
    private const int Vocabulary = 20_000, Clusters = 200, WordsPerPassage = 80;
    private readonly Random _random = new(seed);
    private readonly string[] _words = MakeWords(seed);
    private float[][]? _centres;

    public int Dimensions => dimensions;

    public string Word() => _words[Zipf()];

    public string Text() => string.Join(' ', Enumerable.Range(0, WordsPerPassage).Select(_ => Word())) + ".";

    public float[] Vector()
    {
        _centres ??= Enumerable.Range(0, Clusters).Select(_ => Gaussian(1.0)).ToArray();
        var centre = _centres[_random.Next(Clusters)];
        var noise = Gaussian(0.5);
        for (int i = 0; i < dimensions; i++) noise[i] += centre[i];
        return noise;
    }

    private float[] Gaussian(double scale)
    {
        var v = new float[dimensions];
        for (int i = 0; i < dimensions; i++)
            v[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));
        return v;
    }

    // Rank r drawn with probability ~ 1/r (Zipf, s = 1), by inverting the harmonic CDF approximately.
    private int Zipf() => Math.Min(Vocabulary - 1, (int)Math.Exp(_random.NextDouble() * Math.Log(Vocabulary)) - 1);

    private static string[] MakeWords(int seed)
    {
        var random = new Random(seed + 1);
        const string consonants = "bcdfghjklmnprstvz", vowels = "aeiou";
        return Enumerable.Range(0, Vocabulary).Select(_ =>
            string.Concat(Enumerable.Range(0, 2 + random.Next(3)).Select(_ => $"{consonants[random.Next(consonants.Length)]}{vowels[random.Next(vowels.Length)]}"))).ToArray();
    }
}
