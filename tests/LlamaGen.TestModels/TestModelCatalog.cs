using LlamaGen.Models;

namespace LlamaGen.TestModels;

/// <summary>The test models compiled into this assembly, for lookup by shape.</summary>
public static class TestModelCatalog
{
    /// <summary>Every model, sorted by type name.</summary>
    public static IReadOnlyList<ModelDescriptor> All => LlamaGen.Generated.LlamaModels.All;
}
