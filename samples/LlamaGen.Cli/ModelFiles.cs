using LlamaGen.Gguf;
using LlamaGen.Inference;
using LlamaGen.Models;

namespace LlamaGen.Cli;

/// <summary>Opening GGUF files and finding the compiled model that fits one.</summary>
internal static class ModelFiles
{
    public static GgufFile Open(string path)
    {
        Program.RequireFile(path, "model file");
        return GgufFile.Open(path);
    }

    /// <summary>The compiled model whose spec matches <paramref name="file"/>; <see cref="ModelMismatchException"/> lists the compiled specs otherwise.</summary>
    public static ModelDescriptor Match(GgufFile file) => ModelCatalog.Match(file, CompiledModels.All);

    public static bool TryMatch(GgufFile file, out ModelDescriptor descriptor, out string reason)
    {
        try
        {
            descriptor = Match(file);
            reason = "";
            return true;
        }
        catch (ModelMismatchException e)
        {
            descriptor = null!;
            reason = e.Message;
            return false;
        }
    }
}
