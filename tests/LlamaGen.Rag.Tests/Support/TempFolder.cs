namespace LlamaGen.Rag.Tests.Support;

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llamagen-rag-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Copies the bundled corpus to <c>corpus/</c> here, so a test may change it.</summary>
    public string CopyCorpus()
    {
        string target = this["corpus"];
        foreach (string file in Directory.EnumerateFiles(Fixtures.Corpus, "*", SearchOption.AllDirectories))
        {
            string destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(Fixtures.Corpus, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return target;
    }

    public string Write(string relative, string content)
    {
        string path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
