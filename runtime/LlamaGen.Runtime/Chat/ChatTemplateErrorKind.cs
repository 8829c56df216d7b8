namespace LlamaGen.Chat;

/// <summary>
/// What went wrong in a chat template, named after the exception jinja2 (or Python underneath it) raises for the
/// same template and data; <see cref="ChatTemplateException.PythonExceptionType"/> gives that class name.
/// </summary>
public enum ChatTemplateErrorKind
{
    /// <summary>The template does not parse (jinja2's <c>TemplateSyntaxError</c>).</summary>
    Syntax,
    /// <summary>A check jinja2 makes when compiling, such as an unknown filter or test (<c>TemplateAssertionError</c>).</summary>
    Assertion,
    /// <summary>The template called <c>raise_exception(message)</c> (<c>TemplateError</c>).</summary>
    Raised,
    /// <summary>An undefined value was used (<c>UndefinedError</c>).</summary>
    Undefined,
    /// <summary>The template reached for something the sandbox refuses (<c>SecurityError</c>).</summary>
    Security,
    /// <summary>A runtime rule of jinja2 was broken, such as assigning an attribute of a non-namespace (<c>TemplateRuntimeError</c>).</summary>
    Runtime,
    /// <summary>A filter was given arguments it cannot use (<c>FilterArgumentError</c>).</summary>
    FilterArgument,
    /// <summary>An operation got a value of the wrong type (<c>TypeError</c>).</summary>
    Type,
    /// <summary>An operation got a value it cannot use (<c>ValueError</c>).</summary>
    Value,
    /// <summary>Division or modulo by zero (<c>ZeroDivisionError</c>).</summary>
    ZeroDivision,
    /// <summary>A number or range too large (<c>OverflowError</c>), including the sandbox's cap on <c>range()</c>.</summary>
    Overflow,
    /// <summary>An index out of range where Python raises rather than jinja2 returning undefined (<c>IndexError</c>).</summary>
    Index,
    /// <summary>A missing key where Python raises (<c>KeyError</c>).</summary>
    Key,
    /// <summary>A missing attribute where Python raises (<c>AttributeError</c>).</summary>
    Attribute,
    /// <summary>Python's <c>RuntimeError</c> (for example <c>cycler()</c> without items).</summary>
    PythonRuntime,
    /// <summary>Python's <c>AssertionError</c> (jinja2's <c>truncate</c> asserts its arguments).</summary>
    PythonAssertion,
    /// <summary>Python's <c>SyntaxError</c>: jinja2's generated code does not compile (<c>break</c> outside a loop).</summary>
    PythonSyntax,
    /// <summary>One of <see cref="ChatTemplateLimits"/> was exceeded, or the render was cancelled. jinja2 has no such limits.</summary>
    LimitExceeded,
}
