namespace LlamaGen.Chat.Tests.Oracle;

/// <summary>What jinja2 made of a case: the output, or the exception's class, message and line.</summary>
public sealed record OracleResult(bool Ok, string? Output, string? Type, string? Message, int? Line);
