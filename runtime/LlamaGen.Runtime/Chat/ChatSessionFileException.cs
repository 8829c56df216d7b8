namespace LlamaGen.Chat;

/// <summary>A saved conversation that cannot be loaded: the message names the file and what is wrong with it.</summary>
public sealed class ChatSessionFileException : Exception
{
    public ChatSessionFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    public string Path { get; }

    public string Problem { get; }
}
