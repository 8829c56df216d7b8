namespace LlamaGen.Chat.Syntax;

/// <summary>A place in a template: 1-based line and column (columns count UTF-16 units from the line start).</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}
