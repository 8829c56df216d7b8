using LlamaGen.Gguf;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.TestSupport.Models;

/// <summary>
/// llama-2-tiny-random (Llama 2's real vocabulary, a tiny random model) written once per process with the Llama 2-Chat
/// template of the fixtures as its <c>tokenizer.chat_template</c>: a chat model that decodes in microseconds.
/// </summary>
public static class TinyChatGguf
{
    private static readonly Lazy<string> path = new(Write);

    /// <summary>The fixture template of Llama 2-Chat, as stored in Llama-2-chat GGUF files.</summary>
    public static string Llama2Template => File.ReadAllText(System.IO.Path.Combine(ReferenceFixtures.Directory, "chat-templates", "meta-llama-Llama-2-7b-chat.jinja"));

    public static string Path => path.Value;

    private static string Write()
    {
        string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"llamagen-tiny-chat-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        string file = System.IO.Path.Combine(directory, "llama-2-tiny-random-chat.gguf");
        using (var source = GgufFile.Open(ReferenceFixtures.TinyRandomGguf))
        using (var stream = File.Create(file))
        {
            var writer = new GgufWriter(stream);
            foreach (var entry in source.Metadata)
                if (entry.Key != "tokenizer.chat_template") writer.AddMetadata(entry.Key, entry.Value);
            writer.AddMetadata("tokenizer.chat_template", Llama2Template);
            foreach (var tensor in source.Tensors) writer.AddTensor(tensor.Name, tensor.Dimensions, tensor.Type);
            foreach (var tensor in source.Tensors) writer.WriteTensorData(source.GetTensorBytes(tensor));
            writer.Finish();
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        };
        return file;
    }
}
