using Spectre.Console;
using Spectre.Console.Rendering;

namespace LlamaGen.Rag.Cli;

/// <summary>"12.3 passages/s": Spectre's own speed column formats bytes.</summary>
public sealed class PassageRateColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(task.Speed is { } speed ? $"{speed:F1} passages/s" : "-- passages/s");
}
