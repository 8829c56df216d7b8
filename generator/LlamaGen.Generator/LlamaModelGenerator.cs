using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using LlamaGen.Generator.Emitters;
using LlamaGen.Generator.Emitters.Kernels;
using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Model;
using LlamaGen.Generator.Parser;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlamaGen.Generator;

/// <summary>
/// Generates a fixed-shape Llama model for every <c>[LlamaModel("spec.json")]</c> partial class (shape constants,
/// weight slots, the forward pass), the matrix kernels all models of the compilation share (one per row length, weight
/// type and ISA, with their helpers once and a kernel table), and an assembly-wide registry of the models.
/// </summary>
/// <remarks>
/// Pipeline: attribute target -> <see cref="ModelTarget"/>; spec additional files -> <see cref="SpecFile"/>;
/// both -> <see cref="ModelResult"/> (parsed, validated <see cref="ModelSpec"/> plus diagnostics) -> per-model emitters;
/// every model's kernel keys -> one sorted set -> the kernel emitters. Every pipeline value is value-equatable, so
/// unrelated edits leave the outputs cached (a spec change that keeps its shapes leaves the kernels alone).
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class LlamaModelGenerator : IIncrementalGenerator
{
    public const string AttributeName = "LlamaGen.LlamaModelAttribute";

    /// <summary>
    /// The MSBuild property (made visible with <c>CompilerVisibleProperty</c>) that also emits every kernel with the row
    /// length a constant, for the benchmarks of what the constants buy.
    /// </summary>
    public const string ConstantShapeKernelsProperty = "build_property.LlamaGenConstantShapeKernels";

    private readonly Action<ModelSpec>? beforeEmit;

    public LlamaModelGenerator()
    {
    }

    /// <summary>
    /// For tests: <paramref name="beforeEmit"/> runs before a model's files are rendered, so a test can make rendering
    /// fail and check that the failure becomes LLG0016 instead of an exception.
    /// </summary>
    internal LlamaModelGenerator(Action<ModelSpec> beforeEmit) => this.beforeEmit = beforeEmit;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ModelResult> targets = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeName,
                // Records are classes to C# and may carry the attribute; TargetParser reports them (LLG0021).
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (syntaxContext, cancellationToken) => ParseTarget(syntaxContext, cancellationToken))
            .WithTrackingName(TrackingNames.Targets);

        IncrementalValueProvider<ImmutableArray<SpecFile>> specFiles = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => new SpecFile(file.Path, file.GetText(cancellationToken)?.ToString() ?? ""))
            .WithTrackingName(TrackingNames.SpecFiles)
            .Collect();

        IncrementalValuesProvider<ModelResult> models = targets
            .Combine(specFiles)
            .Select(static (pair, _) => ParseSpec(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Models);

        context.RegisterSourceOutput(models, (output, model) => EmitModel(output, model, beforeEmit));

        IncrementalValueProvider<ImmutableEquatableArray<KernelKey>> kernelKeys = models
            .Where(static model => model.Spec is not null && model.Target is not null)
            .Select(static (model, _) => new ModelPlan(model.Spec!).Kernels)
            .Collect()
            .Select(static (plans, _) =>
            {
                var keys = new SortedSet<KernelKey>();
                foreach (ImmutableEquatableArray<KernelKey> plan in plans) keys.UnionWith(plan);
                return keys.ToImmutableEquatableArray();
            })
            .WithTrackingName(TrackingNames.KernelKeys);

        IncrementalValueProvider<bool> constantShapes = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue(ConstantShapeKernelsProperty, out string? value) &&
                                           string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));

        context.RegisterSourceOutput(kernelKeys.Combine(constantShapes), static (output, input) =>
        {
            if (input.Left.Count == 0) return;
            try
            {
                foreach (var (hint, text) in KernelSourceEmitter.Emit(input.Left, input.Right)) output.AddSource(hint, text);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, "the kernels", Describe(e)));
            }
        });

        IncrementalValueProvider<ImmutableEquatableArray<ModelTarget>> registry = models
            .Where(static model => model.Spec is not null && model.Target is { VisibleToAssembly: true })
            .Select(static (model, _) => model.Target!)
            .Collect()
            .Select(static (targets, _) => targets.ToImmutableEquatableArray())
            .WithTrackingName(TrackingNames.Registry);

        context.RegisterSourceOutput(registry, static (output, targets) =>
        {
            if (targets.Count == 0) return;
            try
            {
                output.AddSource(RegistryEmitter.HintName, RegistryEmitter.Emit(targets));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, "the model registry", Describe(e)));
            }
        });
    }

    private static ModelResult ParseTarget(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return TargetParser.Parse(context, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, SourceLocation.From(context.TargetNode.GetLocation()),
                context.TargetSymbol.Name, Describe(e));
            return new ModelResult(null, null, new ImmutableEquatableArray<DiagnosticInfo>(new[] { info }));
        }
    }

    private static ModelResult ParseSpec(ModelResult target, ImmutableArray<SpecFile> files)
    {
        // A target that cannot be extended (not partial, generic) gets no spec and so no output.
        if (target.Target is null || target.Diagnostics.Count > 0) return target;
        var diagnostics = new List<DiagnosticInfo>();
        ModelSpec? spec = null;
        try
        {
            SpecFile? file = SpecFileMatcher.Find(target.Target.SpecPath, files);
            if (file is null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SpecFileNotFound, target.Target.SpecPathLocation, target.Target.SpecPath));
            else
                spec = SpecParser.Parse(file, diagnostics);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, target.Target.SpecPathLocation, target.Target.SpecPath, Describe(e)));
            spec = null;
        }
        return new ModelResult(target.Target, spec, diagnostics.ToImmutableEquatableArray());
    }

    private static void EmitModel(SourceProductionContext output, ModelResult model, Action<ModelSpec>? beforeEmit)
    {
        foreach (DiagnosticInfo diagnostic in model.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
        if (model.Target is not { } target || model.Spec is not { } spec) return;
        try
        {
            // Render every file before adding any, so a failure adds nothing half-done.
            beforeEmit?.Invoke(spec);
            var plan = new ModelPlan(spec);
            string prefix = HintPrefix(target);
            var files = new List<(string Hint, string Text)>
            {
                (prefix + ".Shape.g.cs", ShapeEmitter.Emit(target, plan)),
                (prefix + ".Weights.g.cs", WeightsEmitter.Emit(target, plan)),
                (prefix + ".Forward.g.cs", ForwardEmitter.Emit(target, plan)),
            };
            foreach (var (hint, text) in files) output.AddSource(hint, text);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError,
                target.SpecPathLocation?.ToLocation() ?? Location.None, target.ClassName, Describe(e)));
        }
    }

    /// <summary>Namespace, enclosing types and class name, so two models with the same name in different places do not collide.</summary>
    private static string HintPrefix(ModelTarget target)
    {
        string name = target.FullName.StartsWith("global::", StringComparison.Ordinal) ? target.FullName.Substring(8) : target.FullName;
        return name.Replace('<', '_').Replace('>', '_');
    }

    private static string Describe(Exception e) => e.GetType().Name + ": " + e.Message;
}
