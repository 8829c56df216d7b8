using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LlamaGen.Generator.Model;

/// <summary>
/// Where a diagnostic points, kept as plain values (a <see cref="Location"/> holds a syntax tree and would
/// defeat incremental caching); turned into a <see cref="Location"/> only when the diagnostic is reported.
/// </summary>
internal sealed record SourceLocation(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static SourceLocation? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        FileLinePositionSpan lineSpan = location.GetLineSpan();
        return new SourceLocation(location.SourceTree.FilePath, location.SourceSpan, lineSpan.Span);
    }
}
