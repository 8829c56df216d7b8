namespace LlamaGen.Oracle.Tests.Llama3;

/// <summary>The Llama 3 test classes share one set of synthetic files (<see cref="Llama3SyntheticFiles"/>): each is written once.</summary>
[CollectionDefinition(Name)]
public sealed class Llama3Collection : ICollectionFixture<Llama3SyntheticFiles>
{
    public const string Name = "Llama 3 synthetic models";
}
