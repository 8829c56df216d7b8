namespace LlamaGen.Chat.Tests;

/// <summary>
/// Parse errors name the template line and column (jinja2 gives only the line; the corpus checks that ours equals it),
/// and errors raised while rendering name where the failing construct is.
/// </summary>
public sealed class ParseErrorTests
{
    [Theory]
    [InlineData("{{ 1 + }}", 1, 8, "unexpected 'end of print statement'")]
    [InlineData("line one\nline two {{ x +* y }}\n", 2, 16, "unexpected '*'")]
    [InlineData("a\n\n{% for x in y %}\n  {% endif %}", 4, 6, "Encountered unknown tag 'endif'. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.")]
    [InlineData("{% for x in y %}{% if x %}{% endfor %}", 1, 30, "Encountered unknown tag 'endfor'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.")]
    [InlineData("{% if true %}\n  text", 2, 1, "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.")]
    [InlineData("{{ 'abc }}", 1, 4, "unexpected char \"'\" at 3")]
    [InlineData("ok\n\t{% nosuchtag %}", 2, 5, "Encountered unknown tag 'nosuchtag'.")]
    [InlineData("{{ x|nosuchfilter }}", 1, 6, "No filter named 'nosuchfilter'.")]
    [InlineData("{# never closed", 1, 1, "Missing end of comment tag")]
    [InlineData("{% set x = (1, 2 %}", 1, 19, "unexpected '}', expected ')'")]
    public void ParseErrorsNameLineAndColumn(string template, int line, int column, string description)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));
        Assert.Equal(description, error.Description);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.EndsWith($"(template line {line}, column {column})", error.Message);
    }

    [Fact]
    public void RuntimeErrorsNameTheFailingConstruct()
    {
        var template = ChatTemplate.Parse("{% for m in messages %}\n  {{ m.content.nope.x }}\n{% endfor %}");
        var error = Assert.Throws<ChatTemplateException>(() => template.Render(new Dictionary<string, object?> { ["messages"] = new[] { new Dictionary<string, object?> { ["content"] = "hi" } } }));
        Assert.Equal(ChatTemplateErrorKind.Undefined, error.Kind);
        Assert.Equal("'str object' has no attribute 'nope'", error.Description);
        Assert.Equal(2, error.Line);
        Assert.Equal(20, error.Column);
    }

    [Fact]
    public void RaiseExceptionsMessageIsExactlyTheTemplates()
    {
        var error = Assert.Throws<ChatTemplateException>(() =>
            ChatTemplate.Parse("\n  {{ raise_exception('Only user and assistant roles are supported!') }}").Render(new Dictionary<string, object?>()));
        Assert.Equal(ChatTemplateErrorKind.Raised, error.Kind);
        Assert.Equal("Only user and assistant roles are supported!", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("{% break %}", "'break' outside loop")]
    [InlineData("{% for x in y %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}", "'continue' not properly in loop")]
    public void LoopControlsOutsideALoopAreSyntaxErrors(string template, string description)
    {
        // jinja2 reports these as Python's SyntaxError from its generated code, with a line of that code.
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));
        Assert.Equal("SyntaxError", error.PythonExceptionType);
        Assert.Equal(description, error.Description);
    }
}
