namespace LlamaGen;

/// <summary>
/// Marks a <c>partial class</c> as a fixed-shape Llama model generated at build time from a spec JSON
/// (which must also be listed in <c>AdditionalFiles</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LlamaModelAttribute(string specPath) : Attribute
{
    /// <summary>Path of the spec JSON, as listed in <c>AdditionalFiles</c> (matched by path suffix).</summary>
    public string SpecPath { get; } = specPath;
}
