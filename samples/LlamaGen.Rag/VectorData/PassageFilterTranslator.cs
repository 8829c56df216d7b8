using System.Collections;
using System.Linq.Expressions;
using System.Reflection;

namespace LlamaGen.Rag.VectorData;

/// <summary>
/// Turns a <c>VectorSearchOptions.Filter</c> / <c>GetAsync(filter)</c> lambda into SQL. Supported, as the connectors
/// commonly support them: comparisons (==, !=, &lt;, &lt;=, &gt;, &gt;=) between a <see cref="PassageRecord"/> property and
/// a constant or captured value, null checks, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, <c>list.Contains(r.Property)</c> and
/// <c>r.Text.Contains("word")</c>. Anything else is refused with the expression named, never silently ignored.
/// </summary>
internal sealed class PassageFilterTranslator
{
    private readonly List<KeyValuePair<string, object?>> _parameters = [];
    private ParameterExpression _record = null!;
    private string _table = "";

    /// <param name="table">Qualifies the columns ("p" gives "p.file"), for queries that join passages with another table.</param>
    public static SqlFilter Translate(Expression<Func<PassageRecord, bool>>? filter, string? table = null)
    {
        if (filter is null) return SqlFilter.None;
        var translator = new PassageFilterTranslator { _record = filter.Parameters[0], _table = table is null ? "" : table + "." };
        string condition = translator.Visit(filter.Body);
        return new SqlFilter(condition, translator._parameters);
    }

    private string Visit(Expression expression)
    {
        switch (expression)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                return $"({Visit(and.Left)} AND {Visit(and.Right)})";
            case BinaryExpression { NodeType: ExpressionType.OrElse } or:
                return $"({Visit(or.Left)} OR {Visit(or.Right)})";
            case UnaryExpression { NodeType: ExpressionType.Not } not:
                return $"(NOT {Visit(not.Operand)})";
            case BinaryExpression comparison when SqlOperator(comparison.NodeType) is { } op:
                return Comparison(comparison, op);
            case MethodCallExpression call:
                return Call(call);
            case ConstantExpression { Value: bool value }:
                return value ? "1" : "0";
            default:
                throw Unsupported(expression);
        }
    }

    private string Comparison(BinaryExpression comparison, string op)
    {
        bool propertyLeft = TryColumn(comparison.Left, out string? column);
        if (!propertyLeft && !TryColumn(comparison.Right, out column))
            throw Unsupported(comparison);
        object? value = Evaluate(propertyLeft ? comparison.Right : comparison.Left, comparison);
        if (!propertyLeft) op = Mirror(op);
        if (value is null)
        {
            return op switch
            {
                "=" => $"{column} IS NULL",
                "<>" => $"{column} IS NOT NULL",
                _ => throw Unsupported(comparison),
            };
        }
        return $"{column} {op} {Parameter(value)}";
    }

    private string Call(MethodCallExpression call)
    {
        // list.Contains(r.File), Enumerable.Contains(list, r.File)
        var (source, item) = call switch
        {
            { Method.Name: "Contains", Object: { } target, Arguments.Count: 1 } when target.Type != typeof(string) => (target, call.Arguments[0]),
            { Method.Name: "Contains", Object: null, Arguments.Count: 2 } => (call.Arguments[0], call.Arguments[1]),
            _ => (null, null),
        };
        if (source is not null && TryColumn(item!, out string? column))
        {
            var values = ((IEnumerable?)Evaluate(source, call) ?? Array.Empty<object>()).Cast<object?>().Select(Parameter).ToList();
            return values.Count == 0 ? "0" : $"{column} IN ({string.Join(", ", values)})";
        }
        // r.Text.Contains("word"): substring, case-sensitive as in .NET (instr, not LIKE, which ignores ASCII case).
        if (call is { Method.Name: "Contains", Object: { } text, Arguments.Count: 1 } && text.Type == typeof(string) && TryColumn(text, out string? textColumn))
            return $"instr({textColumn}, {Parameter(Evaluate(call.Arguments[0], call))}) > 0";
        throw Unsupported(call);
    }

    private bool TryColumn(Expression expression, out string? column)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert } convert) expression = convert.Operand;
        if (expression is MemberExpression { Expression: ParameterExpression parameter } member && parameter == _record)
        {
            if (!PassageColumns.ByProperty.TryGetValue(member.Member.Name, out column))
                throw new NotSupportedException($"filter on PassageRecord.{member.Member.Name}: only {string.Join(", ", PassageColumns.ByProperty.Keys)} can be filtered");
            column = _table + column;
            return true;
        }
        column = null;
        return false;
    }

    private string Parameter(object? value)
    {
        string name = $"$f{_parameters.Count}";
        _parameters.Add(new(name, value switch
        {
            Guid guid => guid.ToByteArray(),
            bool b => b ? 1 : 0,
            _ => value,
        }));
        return name;
    }

    // Constants and captured variables (closure fields, properties, chains of them); no compilation of arbitrary code.
    private static object? Evaluate(Expression expression, Expression whole)
    {
        switch (expression)
        {
            case ConstantExpression constant:
                return constant.Value;
            case UnaryExpression { NodeType: ExpressionType.Convert } convert:
                object? operand = Evaluate(convert.Operand, whole);
                return operand is null || convert.Type.IsInstanceOfType(operand) ? operand
                    : Convert.ChangeType(operand, Nullable.GetUnderlyingType(convert.Type) ?? convert.Type, System.Globalization.CultureInfo.InvariantCulture);
            case MemberExpression member:
                object? target = member.Expression is null ? null : Evaluate(member.Expression, whole);
                return member.Member switch
                {
                    FieldInfo field => field.GetValue(target),
                    PropertyInfo property => property.GetValue(target),
                    _ => throw Unsupported(whole),
                };
            // C# 14 binds array.Contains(x) to MemoryExtensions.Contains(ReadOnlySpan<T>.op_Implicit(array), x).
            case MethodCallExpression { Method.Name: "op_Implicit", Object: null, Arguments.Count: 1 } conversion:
                return Evaluate(conversion.Arguments[0], whole);
            case NewArrayExpression array:
                return array.Expressions.Select(e => Evaluate(e, whole)).ToArray();
            default:
                throw Unsupported(whole);
        }
    }

    private static string? SqlOperator(ExpressionType type) => type switch
    {
        ExpressionType.Equal => "=",
        ExpressionType.NotEqual => "<>",
        ExpressionType.LessThan => "<",
        ExpressionType.LessThanOrEqual => "<=",
        ExpressionType.GreaterThan => ">",
        ExpressionType.GreaterThanOrEqual => ">=",
        _ => null,
    };

    private static string Mirror(string op) => op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };

    private static NotSupportedException Unsupported(Expression expression) =>
        new($"filter '{expression}' is not supported by the SQLite passage store (comparisons of PassageRecord properties with values, &&, ||, !, Contains)");
}
