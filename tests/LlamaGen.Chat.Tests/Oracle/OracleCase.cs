using System.Text.Json.Nodes;

namespace LlamaGen.Chat.Tests.Oracle;

/// <summary>One template rendered with one set of variables at one fixed "now", by jinja2 and by us.</summary>
/// <param name="Name">What the case is, for failure reports.</param>
public sealed record OracleCase(string Name, string Template, JsonObject Variables, string Now = OracleCase.DefaultNow)
{
    public const string DefaultNow = "2024-07-26T10:20:30.123456";

    public static OracleCase Of(string template, string variablesJson = "{}", string? name = null) =>
        new(name ?? template, template, JsonNode.Parse(variablesJson)!.AsObject());
}
