using System;

namespace LlamaGen.Generator.Json;

/// <summary>The spec text is not valid JSON; <see cref="Offset"/> is where the reader gave up.</summary>
internal sealed class JsonSyntaxException(string message, int offset) : Exception(message)
{
    public int Offset { get; } = offset;
}
