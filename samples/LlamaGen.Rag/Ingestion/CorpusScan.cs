namespace LlamaGen.Rag.Ingestion;

/// <summary>The documents under the folders given to <c>ingest</c>.</summary>
/// <param name="Files">Supported files, ordered by key.</param>
/// <param name="ScopeKeys">The folders (or files) as keys: ledger entries under them that are no longer on disk were deleted.</param>
public sealed record CorpusScan(IReadOnlyList<CorpusFile> Files, IReadOnlyList<string> ScopeKeys)
{
    public bool InScope(string key) => ScopeKeys.Any(scope =>
        scope == "." || key == scope || key.StartsWith(scope.EndsWith('/') ? scope : scope + "/", StringComparison.Ordinal));
}
