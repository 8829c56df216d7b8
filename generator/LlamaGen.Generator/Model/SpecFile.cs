namespace LlamaGen.Generator.Model;

/// <summary>An additional file's path and text, read once so the pipeline holds only strings.</summary>
internal sealed record SpecFile(string Path, string Text);
