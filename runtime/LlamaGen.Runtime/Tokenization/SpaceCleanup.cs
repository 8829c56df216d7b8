namespace LlamaGen.Tokenization;

/// <summary>
/// llama.cpp's <c>clean_up_tokenization_spaces</c> (the <c>clean_spaces</c> step of <c>llama_detokenize</c>), three
/// passes over the detokenized bytes: drop a space before <c>?</c> <c>!</c> <c>.</c> <c>,</c>; turn <c>" ' "</c> into
/// <c>"'"</c>; drop the space before the contractions <c>'s</c> <c>'m</c> <c>'re</c> <c>'ve</c> (not before <c>'t</c>,
/// <c>'d</c>, <c>'ll</c>). Only ASCII spaces are ever removed, so UTF-8 sequences stay whole.
/// </summary>
/// <remarks>
/// The passes work in place on one buffer, as llama.cpp's do, and that matters: after <c>" ' "</c> the second pass
/// overwrites the consumed space with a NUL and later looks back at it, so <c>" ' ' "</c> becomes <c>"'' "</c>.
/// <see cref="SpaceCleanupStream"/> produces the same bytes incrementally.
/// </remarks>
internal static class SpaceCleanup
{
    /// <summary>Cleans <paramref name="text"/> in place and returns its new length.</summary>
    public static int Apply(Span<byte> text)
    {
        int total = text.Length;

        // " ?", " !", " .", " ,": the space goes.
        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++)
        {
            byte x = text[i];
            if (text[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',')
                total--;
            text[total++] = x;
        }

        // " ' ": both spaces go.
        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++)
        {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ')
            {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }

        // " 's", " 'm", " 're", " 've": the space goes.
        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++)
        {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3)
            {
                byte x1 = text[i + 1];
                if (x1 is (byte)'s' or (byte)'m')
                    total--;
                else if (i + 2 < total3 && (x1, text[i + 2]) is ((byte)'r', (byte)'e') or ((byte)'v', (byte)'e'))
                    total--;
            }
            text[total++] = x;
        }
        return total;
    }
}
