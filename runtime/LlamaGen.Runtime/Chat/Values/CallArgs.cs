namespace LlamaGen.Chat.Values;

/// <summary>The evaluated arguments of a call: positional values and keyword values in the order given.</summary>
internal sealed class CallArgs(List<object?> positional, List<KeyValuePair<string, object?>> keywords)
{
    public static CallArgs Empty => new([], []);

    public List<object?> Positional { get; } = positional;

    public List<KeyValuePair<string, object?>> Keywords { get; } = keywords;

    public int Count => Positional.Count + Keywords.Count;

    public bool HasKeyword(string name)
    {
        foreach (var keyword in Keywords)
            if (keyword.Key == name)
                return true;
        return false;
    }
}
