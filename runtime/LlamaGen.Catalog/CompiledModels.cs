using LlamaGen.Models;

namespace LlamaGen.Catalog;

/// <summary>The models compiled into this assembly (one per spec in <c>specs/</c>), for lookup by name or shape.</summary>
public static class CompiledModels
{
    /// <summary>Every model, sorted by type name.</summary>
    public static IReadOnlyList<ModelDescriptor> All => LlamaGen.Generated.LlamaModels.All;
}
