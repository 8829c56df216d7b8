namespace LlamaGen.Inference;

/// <summary>
/// Finds stop strings in streamed text. Text that could still grow into a stop string is held back, so a stop
/// string split across tokens is caught and never reaches the consumer.
/// </summary>
internal sealed class StopStringMatcher(IReadOnlyList<string> stopStrings)
{
    private string pending = string.Empty;

    /// <summary>Adds text; returns the part that is final. <paramref name="stopped"/> is set when a stop string appeared.</summary>
    public string Push(string text, out bool stopped)
    {
        stopped = false;
        if (stopStrings.Count == 0)
            return text;

        pending += text;
        int first = -1;
        foreach (string stop in stopStrings)
        {
            int index = pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (first < 0 || index < first))
                first = index;
        }
        if (first >= 0)
        {
            stopped = true;
            string before = pending[..first];
            pending = string.Empty;
            return before;
        }

        int hold = LongestSuffixThatStartsAStopString();
        string ready = pending[..^hold];
        pending = pending[^hold..];
        return ready;
    }

    /// <summary>Releases the held-back text: the sequence ended without completing a stop string.</summary>
    public string Flush()
    {
        string rest = pending;
        pending = string.Empty;
        return rest;
    }

    private int LongestSuffixThatStartsAStopString()
    {
        int longest = 0;
        foreach (string stop in stopStrings)
        {
            for (int length = Math.Min(stop.Length - 1, pending.Length); length > longest; length--)
            {
                if (pending.AsSpan(pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
