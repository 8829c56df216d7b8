namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// <c>samples/data/tinystory.txt</c>, the fixed text the README's perplexity figures are measured on, copied next to
/// the test assembly by the test project.
/// </summary>
public static class TinyStoryText
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "data", "tinystory.txt");

    /// <summary>The text as <c>llamagen perplexity --text</c> and llama.cpp's <c>-f</c> read it: one trailing newline dropped.</summary>
    public static string Text
    {
        get
        {
            string text = File.ReadAllText(Path);
            return text.EndsWith('\n') ? text[..^1] : text;
        }
    }
}
