using LlamaGen.Generator.Helpers;

namespace LlamaGen.Generator.Model;

/// <summary>
/// The class carrying <c>[LlamaModel]</c>, reduced to what the emitters need: where to declare the partial
/// class and which spec file it names.
/// </summary>
/// <param name="Namespace">Empty for the global namespace.</param>
/// <param name="Modifiers">The declared accessibility as C# keywords (<c>public</c>, <c>internal</c>, ...).</param>
/// <param name="ContainingTypes">Declarations of enclosing types, outermost first (e.g. <c>partial class Outer</c>).</param>
/// <param name="FullName">Fully qualified name with <c>global::</c>, for references from the registry.</param>
/// <param name="VisibleToAssembly">False when the class (or an enclosing type) is private, so the registry cannot name it.</param>
internal sealed record ModelTarget(
    string Namespace,
    string ClassName,
    string Modifiers,
    ImmutableEquatableArray<string> ContainingTypes,
    string FullName,
    bool VisibleToAssembly,
    string SpecPath,
    SourceLocation? SpecPathLocation);
