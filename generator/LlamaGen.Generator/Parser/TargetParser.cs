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
    private static readonly ModelResult Nothing = new(null, null, ImmutableEquatableArray<DiagnosticInfo>.Empty);

    public static ModelResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        SourceLocation? classLocation = SourceLocation.From(syntax.Identifier.GetLocation());

        AttributeData attribute = context.Attributes[0];
        // An attribute C# could not bind (no argument, a non-string argument) already has a compiler error; adding a
        // generator error about the same text would only repeat it.
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length != 1) return Nothing;

        List<AttributeData> all = ModelAttributes(symbol);
        if (all.Count > 1)
        {
            // C# reports CS0579 (AllowMultiple = false) but not which specs collide. Partial declarations can each carry
            // one, so the transform runs once per declaration: only the one holding the first attribute reports.
            if (!IsOn(all[0], syntax, cancellationToken)) return Nothing;
            var paths = new List<string>();
            foreach (AttributeData each in all)
                paths.Add(each.ConstructorArguments.Length == 1 && each.ConstructorArguments[0].Value is string p ? "\"" + p + "\"" : "(no path)");
            SourceLocation? second = SourceLocation.From(all[1].ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation()) ?? classLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateModelAttribute, second, symbol.Name, string.Join(", ", paths)));
            return new ModelResult(null, null, diagnostics.ToImmutableEquatableArray());
        }

        string? specPath = attribute.ConstructorArguments[0].Value as string;
        SourceLocation? specPathLocation = SpecPathLocation(attribute, cancellationToken) ?? classLocation;
        if (specPath is null || specPath.Trim().Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmptySpecPath, specPathLocation, symbol.Name));

        if (!IsPartial(syntax))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, symbol.Name));
        string? unsupported =
            symbol.IsRecord ? "a record" :
            symbol.TypeParameters.Length > 0 ? "a generic class" :
            symbol.IsStatic ? "a static class" :
            symbol.IsAbstract ? "an abstract class" : null;
        if (unsupported is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelClass, classLocation, symbol.Name, unsupported));

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
            specPath ?? "",
            specPathLocation);
        return new ModelResult(target, null, diagnostics.ToImmutableEquatableArray());
    }

    /// <summary>Every <c>[LlamaModel]</c> on the class, across partial declarations, in source order.</summary>
    private static List<AttributeData> ModelAttributes(INamedTypeSymbol symbol)
    {
        var found = new List<AttributeData>();
        foreach (AttributeData each in symbol.GetAttributes())
        {
            if (each.AttributeClass?.ToDisplayString() == LlamaModelGenerator.AttributeName) found.Add(each);
        }
        found.Sort((a, b) =>
        {
            SyntaxReference? x = a.ApplicationSyntaxReference, y = b.ApplicationSyntaxReference;
            int byFile = string.CompareOrdinal(x?.SyntaxTree.FilePath, y?.SyntaxTree.FilePath);
            return byFile != 0 ? byFile : (x?.Span.Start ?? 0).CompareTo(y?.Span.Start ?? 0);
        });
        return found;
    }

    private static bool IsOn(AttributeData attribute, TypeDeclarationSyntax declaration, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference is { } reference &&
        reference.SyntaxTree == declaration.SyntaxTree &&
        declaration.Span.Contains(reference.Span);

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
