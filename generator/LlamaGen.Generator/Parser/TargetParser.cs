using System.Collections.Generic;
using System.Threading;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlamaGen.Generator.Parser;

/// <summary>Reduces a class carrying <c>[LlamaModel]</c> to a <see cref="ModelTarget"/>, checking it can be extended.</summary>
internal static class TargetParser
{
    public static ModelResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        SourceLocation? classLocation = SourceLocation.From(syntax.Identifier.GetLocation());

        AttributeData attribute = context.Attributes[0];
        string specPath = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string path ? path : "";
        SourceLocation? specPathLocation = SpecPathLocation(attribute, cancellationToken) ?? classLocation;

        if (!IsPartial(syntax))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, symbol.Name));
        if (symbol.TypeParameters.Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedInGenericType, classLocation, symbol.Name, symbol.Name));

        var containing = new List<string>();
        bool visible = IsVisibleToAssembly(symbol.DeclaredAccessibility);
        for (INamedTypeSymbol? outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            visible &= IsVisibleToAssembly(outer.DeclaredAccessibility);
            if (outer.TypeParameters.Length > 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedInGenericType, classLocation, symbol.Name, outer.Name));
            TypeDeclarationSyntax? outerSyntax = null;
            foreach (SyntaxReference reference in outer.DeclaringSyntaxReferences)
            {
                outerSyntax = reference.GetSyntax(cancellationToken) as TypeDeclarationSyntax;
                if (outerSyntax is not null) break;
            }
            if (outerSyntax is null || !IsPartial(outerSyntax))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, outer.Name));
                continue;
            }
            containing.Insert(0, "partial " + TypeKeyword(outerSyntax) + " " + outer.Name);
        }

        string ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        var target = new ModelTarget(
            ns,
            symbol.Name,
            AccessibilityKeywords(symbol.DeclaredAccessibility),
            containing.ToImmutableEquatableArray(),
            symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            visible,
            specPath,
            specPathLocation);
        return new ModelResult(target, null, diagnostics.ToImmutableEquatableArray());
    }

    private static SourceLocation? SpecPathLocation(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } syntax)
            return SourceLocation.From(syntax.ArgumentList.Arguments[0].GetLocation());
        return null;
    }

    private static bool IsPartial(TypeDeclarationSyntax syntax)
    {
        foreach (SyntaxToken modifier in syntax.Modifiers)
        {
            if (modifier.IsKind(SyntaxKind.PartialKeyword)) return true;
        }
        return false;
    }

    private static string TypeKeyword(TypeDeclarationSyntax syntax) => syntax switch
    {
        RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        _ => syntax.Keyword.ValueText,
    };

    private static bool IsVisibleToAssembly(Accessibility accessibility) =>
        accessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    private static string AccessibilityKeywords(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };
}
