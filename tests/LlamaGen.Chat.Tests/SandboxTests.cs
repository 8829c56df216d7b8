using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Tests;

/// <summary>
/// A template is untrusted input: one that loops forever, recurses without end, builds a gigabyte string or reaches for
/// Python internals stops with a clear <see cref="ChatTemplateException"/>, quickly, without allocating the gigabyte.
/// </summary>
public sealed class SandboxTests
{
    private static readonly JsonObject Variables = JsonNode.Parse("""{"messages": [{"role": "user", "content": "hi"}]}""")!.AsObject();

    private static ChatTemplateException Fails(string template, ChatTemplateLimits? limits = null, long maxAllocatedBytes = long.MaxValue)
    {
        var stopwatch = Stopwatch.StartNew();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template, limits).Render(Variables));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        stopwatch.Stop();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed} to stop: {error.Message}");
        Assert.True(allocated < maxAllocatedBytes, $"allocated {allocated:N0} bytes before stopping: {error.Message}");
        TestContext.Current.SendDiagnosticMessage($"{template} -> {error.Message} ({stopwatch.ElapsedMilliseconds} ms, {allocated / 1024:N0} KiB)");
        return error;
    }

    [Fact]
    public void AHugeRangeIsRefusedAsTheSandboxRefusesIt()
    {
        var error = Fails("{% for i in range(10**12) %}x{% endfor %}");
        Assert.Equal(ChatTemplateErrorKind.Overflow, error.Kind);
        Assert.Equal("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).", error.Description);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void AnEndlessLoopStopsAtTheStepLimit()
    {
        // Nested loops within MAX_RANGE: 10^15 iterations, which only the step budget stops.
        var error = Fails("{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}{% set x = i + j %}{% endfor %}{% endfor %}{% endfor %}");
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("MaxSteps", error.Description);
    }

    [Fact]
    public void AnEndlessLoopThatPrintsStopsAtALimit()
    {
        var error = Fails("{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}");
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
    }

    [Fact]
    public void UnboundedMacroRecursionStopsAtTheDepthLimit()
    {
        var error = Fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("MaxDepth", error.Description);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void UnboundedRecursiveLoopsStopAtTheDepthLimit()
    {
        var error = Fails("{% set tree = [[]] %}{% for x in [tree, tree] recursive %}{{ loop([tree]) }}{% endfor %}");
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("MaxDepth", error.Description);
    }

    [Fact]
    public void MutualRecursionThroughCallerStops()
    {
        var error = Fails("{% macro a() %}{% call b() %}{% endcall %}{% endmacro %}{% macro b() %}{{ a() }}{{ caller() }}{% endmacro %}{{ a() }}");
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
    }

    [Fact]
    public void AGigabyteStringByRepetitionIsRefusedBeforeItIsBuilt()
    {
        var error = Fails("{{ 'x' * 10**9 }}", maxAllocatedBytes: 16L << 20);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("1,000,000,000 characters", error.Description);
    }

    [Fact]
    public void AGigabyteStringByDoublingStopsAtTheStringLimit()
    {
        var error = Fails("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}");
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("MaxStringLength", error.Description);
    }

    [Fact]
    public void AGigabyteListIsRefusedBeforeItIsBuilt()
    {
        var error = Fails("{{ ([1] * 10**9)|length }}", maxAllocatedBytes: 16L << 20);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("MaxCollectionLength", error.Description);
    }

    [Fact]
    public void AGigabyteOfOutputStopsAtTheOutputLimit()
    {
        var error = Fails("{% set chunk = 'x' * 1000000 %}{% for i in range(1000) %}{{ chunk }}{% endfor %}", maxAllocatedBytes: 512L << 20);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("MaxOutputBytes", error.Description);
    }

    [Fact]
    public void AHugeIntegerIsRefused()
    {
        var error = Fails("{{ 2 ** (10 ** 9) }}", maxAllocatedBytes: 16L << 20);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
    }

    [Fact]
    public void ReplaceAndPaddingAreSizedBeforeTheyAreBuilt()
    {
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ ('x' * 10000)|replace('x', 'y' * 10000) }}", maxAllocatedBytes: 200L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ 'x'.center(10**9) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ '%*d' % (10**9, 1) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ '{:>1000000000}'.format(1) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ '{:=1000000000}'.format(1) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ 'x'|center(10**9) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ 'x'|indent(10**9) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ 'a\tb'.expandtabs(10**9) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ '42'.zfill(10**9) }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ ['x']|batch(10**9, 'y')|list }}", maxAllocatedBytes: 16L << 20).Kind);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ 'x'|tojson(indent=10**9) }}{{ [1]|tojson(indent=10**9) }}", maxAllocatedBytes: 16L << 20).Kind);
    }

    [Theory]
    [InlineData("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe.")]
    [InlineData("{{ ''.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__' of 'str' object is unsafe.")]
    [InlineData("{{ messages.__class__.__base__ }}", "access to attribute '__class__' of 'list' object is unsafe.")]
    [InlineData("{{ raise_exception.__globals__['os'] }}", "access to attribute '__globals__' of 'function' object is unsafe.")]
    [InlineData("{{ namespace.__init__.__globals__.os.system('id') }}", "access to attribute '__init__' of 'type' object is unsafe.")]
    [InlineData("{{ cycler.__init__.__globals__ }}.x", "access to attribute '__init__' of 'type' object is unsafe.")]
    [InlineData("{{ dict.mro() }}", "access to attribute 'mro' of 'type' object is unsafe.")]
    [InlineData("{{ (messages|map('string')).gi_frame.f_globals }}", "access to attribute 'gi_frame' of 'generator' object is unsafe.")]
    [InlineData("{{ messages.append({'role': 'system'}) }}", "access to attribute 'append' of 'list' object is unsafe.")]
    [InlineData("{{ messages[0].update({'role': 'system'}) }}", "access to attribute 'update' of 'dict' object is unsafe.")]
    [InlineData("{{ '{0.__class__.__mro__}'.format('') }}", "access to attribute '__class__' of 'str' object is unsafe.")]
    public void PythonInternalsAreOutOfReach(string template, string message)
    {
        var error = Fails(template);
        Assert.Equal(ChatTemplateErrorKind.Security, error.Kind);
        Assert.Equal("SecurityError", error.PythonExceptionType);
        Assert.Equal(message, error.Description);
    }

    [Fact]
    public void DotNetMembersDoNotExistForTemplates()
    {
        // Members of the .NET objects behind the values are not attributes: there is no reflection to reach them.
        string rendered = ChatTemplate.Parse("{{ messages.Count }}|{{ messages[0].Keys }}|{{ 'x'.Length }}|{{ 'x'.GetType }}|{{ messages.Capacity is defined }}")
            .Render(JsonNode.Parse("""{"messages": [{"role": "user"}]}""")!.AsObject(), null);
        Assert.Equal("||||False", rendered);
        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ messages.GetType() }}").Render(Variables));
    }

    [Fact]
    public void DeeplyNestedValuesAreRefusedNotOverflowed()
    {
        // A list nested 100,000 deep, built within the limits, then printed, compared, hashed and serialised.
        const string Build = "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}";
        foreach (string use in new[] { "{{ ns.l }}", "{{ ns.l == ns.l[0] }}", "{{ ns.l < ns.l[0] }}", "{{ ns.l|tojson }}", "{{ {(ns.l|string, 1): 1} }}" })
            Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails(Build + use).Kind);
        var nestedTuple = "{% set ns = namespace(t=()) %}{% for i in range(100000) %}{% set ns.t = (ns.t,) %}{% endfor %}{{ {ns.t: 1} }}";
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails(nestedTuple).Kind);
    }

    [Fact]
    public void ValuesNestedWithinPythonsRecursionLimitStillWork()
    {
        // jinja2 3.1.6 on Python 3.11 renders this 900 deep (and raises RecursionError at 1000); the refusal above is a
        // fixed depth, not wherever the stack happens to run out, so it holds at every JIT tier and on every thread.
        const string Template = "{% set ns = namespace(l=[]) %}{% for i in range(900) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l }}|{{ ns.l == ns.l }}|{{ ns.l[0] < ns.l }}";
        string rendered = ChatTemplate.Parse(Template).Render(Variables);
        Assert.Equal(new string('[', 901) + new string(']', 901) + "|True|True", rendered);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails(Template.Replace("range(900)", "range(1000)")).Kind);
    }

    [Fact]
    public void DeepRecursionStopsCleanlyOnASmallStack()
    {
        // Deep expressions inside deep macro recursion, on a thread with a quarter-megabyte stack: an error, never a crash.
        string deep = new string('(', 150) + "n" + new string(')', 150);
        string template = "{% macro f(n) %}{{ f(" + deep + " + 1) }}{% endmacro %}{{ f(0) }}";
        ChatTemplate parsed = ChatTemplate.Parse(template);
        ChatTemplateException? error = null;
        var thread = new Thread(() => error = Assert.Throws<ChatTemplateException>(() => parsed.Render(Variables)), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.NotNull(error);
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error!.Kind);
    }

    [Fact]
    public void HugeNumberLiteralsAndConversionsStopAsPythonDoes()
    {
        var literal = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ " + new string('9', 100_000) + " }}"));
        Assert.Equal(ChatTemplateErrorKind.Value, literal.Kind);
        Assert.StartsWith("Exceeds the limit (4300 digits)", literal.Description);
        Assert.Equal("0", ChatTemplate.Parse("{{ ('9' * 100000)|int }}").Render(Variables));
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, Fails("{{ '%.100000f' % 1.5 }}").Kind);
    }

    [Fact]
    public void DeeplyNestedSyntaxIsRefusedWhenParsing()
    {
        string template = "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}";
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));
        Assert.Equal(ChatTemplateErrorKind.Syntax, error.Kind);
        Assert.Contains("nests deeper", error.Description);
        string blocks = string.Concat(Enumerable.Repeat("{% if true %}", 5000)) + string.Concat(Enumerable.Repeat("{% endif %}", 5000));
        Assert.Equal(ChatTemplateErrorKind.Syntax, Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(blocks)).Kind);
    }

    [Fact]
    public void CancellationStopsARender()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var template = ChatTemplate.Parse("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
        var error = Assert.Throws<ChatTemplateException>(() => template.Render(Variables, null, cancellation.Token));
        Assert.Equal(ChatTemplateErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("cancelled", error.Description);
    }

    [Fact]
    public void LimitsCanBeTightened()
    {
        var limits = new ChatTemplateLimits { MaxSteps = 1000, MaxOutputBytes = 100, MaxDepth = 5, MaxStringLength = 50 };
        Assert.Contains("1,000 steps", Fails("{% for i in range(2000) %}{% endfor %}", limits).Description);
        Assert.Contains("MaxOutputBytes", Fails("{% for i in range(20) %}0123456789{% endfor %}", limits).Description);
        Assert.Contains("deeper than 5", Fails("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(0) }}", limits).Description);
        Assert.Contains("MaxStringLength", Fails("{{ 'x' * 51 }}", limits).Description);
        Assert.Equal("ok", ChatTemplate.Parse("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{% else %}ok{% endif %}{% endmacro %}{{ f(4) }}", limits).Render(Variables));
    }
}
