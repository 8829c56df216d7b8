using LlamaGen.Generator.Helpers;

namespace LlamaGen.Generator.Model;

/// <summary>The pipeline's value per model class: what to emit (when <see cref="Spec"/> is set) and what to report.</summary>
internal sealed record ModelResult(ModelTarget? Target, ModelSpec? Spec, ImmutableEquatableArray<DiagnosticInfo> Diagnostics);
