using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Catalog;
using LlamaGen.Models;
using LlamaGen.Tokenization;

namespace LlamaGen.Cli;

/// <summary>Opening GGUF files and finding the compiled model that fits one.</summary>
internal static class ModelFiles
{
    public static GgufFile Open(string path)
    {
        Program.RequireFile(path, "model file");
        return GgufFile.Open(path);
    }

    /// <summary>The file's tokenizer (SentencePiece or BPE); what llama.cpp would warn about loading it goes to stderr.</summary>
    public static Tokenizer LoadTokenizer(GgufFile file, TextWriter stderr)
    {
        var tokenizer = Tokenizer.FromGguf(file);
        foreach (string warning in tokenizer.Warnings)
            stderr.WriteLine($"warning: {file.Path}: {warning}");
        return tokenizer;
    }

    /// <summary>
    /// Converts a llama2.c checkpoint and tokenizer to a temporary GGUF file and opens it. The file is unlinked once
    /// mapped (the mapping keeps the data alive), so nothing is left behind.
    /// </summary>
    public static GgufFile OpenLlama2C(string modelPath, string tokenizerPath)
    {
        Program.RequireFile(modelPath, "llama2.c checkpoint");
        Program.RequireFile(tokenizerPath, "llama2.c tokenizer");
        string temporary = Path.Combine(Path.GetTempPath(), $"llamagen-{Environment.ProcessId}-{Guid.NewGuid():N}.gguf");
        try
        {
            Llama2CConverter.Convert(modelPath, tokenizerPath, temporary);
            return GgufFile.Open(temporary);
        }
        finally
        {
            // On Windows a mapped file cannot be deleted; it then stays in the temp folder.
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
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
