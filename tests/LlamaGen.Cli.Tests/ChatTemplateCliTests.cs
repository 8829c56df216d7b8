using LlamaGen.Chat;
using LlamaGen.Gguf;
using LlamaGen.Tokenization;
using LlamaGen.TestSupport.Models;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// <c>llamagen chat-template</c>: the prompt printed exactly as the library renders it (no newline added), its ids with
/// <c>--ids</c>, <c>--template</c> overriding the file's, and a template error as one <c>error:</c> line.
/// </summary>
public sealed class ChatTemplateCliTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("llamagen-chat-template-").FullName;

    private string Write(string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Conversation = """
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi\tthere"}, {"role": "assistant", "content": " Hello! "}, {"role": "user", "content": "Bye"}]
        """;

    [Fact]
    public void PrintsThePromptAndItsIds()
    {
        string messages = Write("messages.json", Conversation);
        CliRunner.Result text = CliRunner.Run("chat-template", "--model", TinyChatGguf.Path, "--messages", messages, "--add-generation-prompt");
        Assert.True(text.ExitCode == 0, text.Stderr);

        using var file = GgufFile.Open(TinyChatGguf.Path);
        var tokenizer = Tokenizer.FromGguf(file);
        ChatPrompt prompt = ChatPrompt.FromGguf(file, tokenizer);
        object?[] conversation =
        [
            new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi\tthere"), new ChatMessage("assistant", " Hello! "), new ChatMessage("user", "Bye"),
        ];
        var options = new ChatPromptOptions { AddGenerationPrompt = true };
        Assert.Equal(prompt.Render(conversation, options), text.Stdout);
        Assert.StartsWith("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi\tthere [/INST] Hello! </s><s>[INST] Bye [/INST]", text.Stdout);

        CliRunner.Result ids = CliRunner.Run("chat-template", "--model", TinyChatGguf.Path, "--messages", messages, "--add-generation-prompt", "--ids");
        Assert.Equal(string.Join(' ', prompt.Tokenize(tokenizer, conversation, options)) + "\n", ids.Stdout);
    }

    [Fact]
    public void TemplateOverridesTheFileAndErrorsAreOneLine()
    {
        string messages = Write("messages.json", Conversation);
        string template = Write("t.jinja", "{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
        CliRunner.Result result = CliRunner.Run("chat-template", "--model", TinyChatGguf.Path, "--messages", messages, "--template", template);
        Assert.Equal("<system>Be brief.<user>Hi\tthere<assistant>Hello!<user>Bye", result.Stdout);

        // The Llama 2 template raises on two user turns in a row; the message is the template's.
        string wrong = Write("wrong.json", """[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]""");
        string error = CliRunner.AssertUserError(CliRunner.Run("chat-template", "--model", TinyChatGguf.Path, "--messages", wrong));
        Assert.Contains("Conversation roles must alternate user/assistant/user/assistant/...", error);

        string broken = Write("broken.jinja", "{% for m in messages %}{{ m.content }\n{% endfor %}");
        error = CliRunner.AssertUserError(CliRunner.Run("chat-template", "--model", TinyChatGguf.Path, "--messages", messages, "--template", broken));
        Assert.Contains("line 1", error);

        string notJson = Write("bad.json", "[{\"role\": \"user\",\n \"content\": }]");
        error = CliRunner.AssertUserError(CliRunner.Run("chat-template", "--model", TinyChatGguf.Path, "--messages", notJson));
        Assert.Contains("line 2", error);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
