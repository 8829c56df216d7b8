using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaGen.Chat;

namespace LlamaGen.Cli;

/// <summary>
/// <c>llamagen chat-template</c>: a conversation rendered with the model's chat template (or another), exactly as the model
/// would be prompted: the text with nothing added, or with <c>--ids</c> its token ids.
/// </summary>
internal static class ChatTemplateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF file whose template and tokenizer to use (a vocabulary-only file works)", Required = true };
        var template = new Option<string?>("--template") { Description = "Jinja template file to use instead of the model's tokenizer.chat_template" };
        var messages = new Option<string>("--messages")
        {
            Description = "JSON file: an array of messages ({\"role\", \"content\", ...}), or an object with \"messages\" and optionally \"tools\", \"documents\" and other template variables",
            Required = true,
        };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the start of an assistant turn (add_generation_prompt)" };
        var ids = new Option<bool>("--ids") { Description = "Print the prompt's token ids separated by spaces instead of its text" };
        var command = new Command("chat-template", "Render a conversation with the model's chat template and print the prompt exactly")
        {
            model, template, messages, generationPrompt, ids,
        };

        command.SetAction(parse =>
        {
            using var file = ModelFiles.Open(parse.GetValue(model)!);
            var tokenizer = ModelFiles.LoadTokenizer(file, context.Stderr);
            string? templateText = ReadTemplate(parse.GetValue(template));
            ChatPrompt prompt = ChatPrompt.FromGguf(file, tokenizer, templateText);
            (List<object?> conversation, ChatPromptOptions options) = ReadMessages(parse.GetValue(messages)!, parse.GetValue(generationPrompt));
            if (parse.GetValue(ids))
            {
                context.Stdout.Write(string.Join(' ', prompt.Tokenize(tokenizer, conversation, options)));
                context.Stdout.Write('\n');
            }
            else
            {
                context.Stdout.Write(prompt.Render(conversation, options));
            }
            return 0;
        });
        return command;
    }

    /// <summary>The text of a <c>--template FILE</c>, or null.</summary>
    internal static string? ReadTemplate(string? path)
    {
        if (path is null) return null;
        Program.RequireFile(path, "template file");
        return File.ReadAllText(path);
    }

    private static (List<object?> Messages, ChatPromptOptions Options) ReadMessages(string path, bool addGenerationPrompt)
    {
        Program.RequireFile(path, "messages file");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {Program.OneLine(e.Message)}");
        }
        JsonArray list;
        var extra = new Dictionary<string, object?>();
        object? tools = null, documents = null;
        switch (root)
        {
            case JsonArray array:
                list = array;
                break;
            case JsonObject obj when obj["messages"] is JsonArray array:
                list = array;
                foreach (var (key, value) in obj)
                {
                    switch (key)
                    {
                        case "messages": break;
                        case "tools": tools = value; break;
                        case "documents": documents = value; break;
                        case "add_generation_prompt": throw new CliException($"{path}: give add_generation_prompt as --add-generation-prompt");
                        default: extra[key] = value; break;
                    }
                }
                break;
            default:
                throw new CliException($"{path}: expected an array of messages, or an object with a \"messages\" array");
        }
        var messages = new List<object?>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject message || message["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String)
                throw new CliException($"{path}: messages[{i}] is not an object with a \"role\" string");
            messages.Add(message);
        }
        return (messages, new ChatPromptOptions { AddGenerationPrompt = addGenerationPrompt, Tools = tools, Documents = documents, ExtraVariables = extra });
    }
}
