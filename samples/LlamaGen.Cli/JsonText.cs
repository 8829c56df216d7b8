using System.Text;
using System.Text.Json;

namespace LlamaGen.Cli;

/// <summary>
/// One JSON value written with <see cref="Utf8JsonWriter"/> and returned as a string: the commands' <c>--json</c>
/// output, written by hand because the serializer's reflection and metadata do not belong in the NativeAOT binary.
/// </summary>
internal static class JsonText
{
    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
