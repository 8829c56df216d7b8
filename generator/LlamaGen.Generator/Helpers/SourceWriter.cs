using System;
using System.Text;

namespace LlamaGen.Generator.Helpers;

/// <summary>Builds C# source with consistent indentation, so emitters read like the code they produce.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder builder = new();
    private int depth;

    /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < depth; i++) builder.Append(IndentUnit);
            builder.Append(text);
        }
        builder.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, then <c>{</c>, and indents until the matching <see cref="Close"/>.</summary>
    public SourceWriter Open(string header)
    {
        Line(header);
        Line("{");
        depth++;
        return this;
    }

    /// <summary>Closes a block opened by <see cref="Open"/>; <paramref name="suffix"/> follows the brace (e.g. <c>;</c>).</summary>
    public SourceWriter Close(string suffix = "")
    {
        if (depth == 0) throw new InvalidOperationException("Close without Open.");
        depth--;
        return Line("}" + suffix);
    }

    public override string ToString() => builder.ToString();
}
