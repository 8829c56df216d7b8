using System;
using System.Text;

namespace LlamaGen.Generator.Helpers;

/// <summary>
/// Builds C# source with consistent indentation, so emitters read like the code they produce. Blank lines are
/// tidied: they never repeat, never follow an opening brace and never precede a closing one, so emitters can
/// separate members freely without leaving double or dangling blank lines in the output.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder builder = new();
    private int depth;
    private bool blankPending;
    private bool afterOpenBrace = true;

    /// <summary>Writes one line at the current indentation; an empty line becomes a (tidied) blank line.</summary>
    public SourceWriter Line(string text = "")
    {
        if (text.Length == 0)
        {
            blankPending = !afterOpenBrace;
            return this;
        }
        if (blankPending) builder.Append('\n');
        blankPending = false;
        for (int i = 0; i < depth; i++) builder.Append(IndentUnit);
        builder.Append(text).Append('\n');
        afterOpenBrace = text == "{";
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
        blankPending = false;
        return Line("}" + suffix);
    }

    /// <summary>The text so far; a trailing blank line is dropped so every file ends with exactly one newline.</summary>
    public override string ToString() => builder.ToString();
}
