using LlamaGen.Generator.Helpers;
using Microsoft.CodeAnalysis;

namespace LlamaGen.Generator.Model;

/// <summary>A diagnostic waiting to be reported: which descriptor, its message arguments, and where.</summary>
internal sealed record DiagnosticInfo(string Id, ImmutableEquatableArray<string> Arguments, SourceLocation? Location)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceLocation? location, params object[] arguments)
    {
        var strings = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            strings[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor.Id, new ImmutableEquatableArray<string>(strings), location);
    }

    public Diagnostic ToDiagnostic()
    {
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(Id);
        var arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
        return Diagnostic.Create(descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, arguments);
    }
}
