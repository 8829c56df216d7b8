namespace LlamaGen.Inference;

/// <summary>The engine's queue is full: the request was refused at once (a server answers 503 with Retry-After).</summary>
public sealed class EngineOverloadedException(string message) : Exception(message);
