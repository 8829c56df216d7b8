using System.Text;
using LlamaGen.Gguf;

namespace LlamaGen.Runtime.Tests.Gguf;

/// <summary>A GGUF file in a temp folder, written by <see cref="GgufWriter"/> or from raw bytes; deleted on dispose.</summary>
public sealed class GgufTestFile : IDisposable
{
    private GgufTestFile(string path) => Path = path;

    public string Path { get; }

    public static GgufTestFile Write(Action<GgufWriter> build, uint version = 3, uint alignment = 32)
    {
        var file = new GgufTestFile(NewPath());
        using (var stream = File.Create(file.Path))
        {
            var writer = new GgufWriter(stream, version, alignment);
            build(writer);
            writer.Finish();
        }
        return file;
    }

    public static GgufTestFile FromBytes(byte[] bytes)
    {
        var file = new GgufTestFile(NewPath());
        File.WriteAllBytes(file.Path, bytes);
        return file;
    }

    public byte[] ReadAllBytes() => File.ReadAllBytes(Path);

    /// <summary>Offset of the first occurrence of <paramref name="text"/>'s UTF-8 bytes (a key or tensor name).</summary>
    public static int Find(byte[] bytes, string text)
    {
        int at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
        Assert.True(at >= 0, $"'{text}' not found in the test file");
        return at;
    }

    public void Dispose() => File.Delete(Path);

    private static string NewPath() =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"llamagen-gguf-test-{Guid.NewGuid():N}.gguf");
}
