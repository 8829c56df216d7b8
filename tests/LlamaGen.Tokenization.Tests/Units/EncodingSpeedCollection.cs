namespace LlamaGen.Tokenization.Tests.Units;

/// <summary>Keeps the speed tests from sharing the processors with the other test classes.</summary>
[CollectionDefinition(nameof(EncodingSpeedTests), DisableParallelization = true)]
public sealed class EncodingSpeedCollection;
