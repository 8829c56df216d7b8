namespace LlamaGen.Tokenization;

/// <summary>
/// UTF-8 as llama.cpp's BPE path decodes and re-encodes it (<c>unicode_cpts_from_utf8</c>, <c>unicode_cpt_to_utf8</c>).
/// The decoder checks only the lead byte and that enough continuation bytes follow, so it accepts overlong forms
/// (<c>C0 80</c> is U+0000), surrogates (<c>ED A0 80</c> is U+D800) and four-byte forms up to U+1FFFFF; any other byte
/// becomes one U+FFFD and decoding resumes at the next byte. Re-encoding is then shortest-form, so the bytes a BPE word
/// is built from are not always the input bytes: this is what llama.cpp tokenizes.
/// </summary>
internal static class LlamaCppUtf8
{
    public const int ReplacementCharacter = 0xFFFD;

    /// <summary>Decodes <paramref name="utf8"/> into <paramref name="codePoints"/> (cleared first).</summary>
    public static void Decode(ReadOnlySpan<byte> utf8, List<int> codePoints)
    {
        codePoints.Clear();
        int offset = 0;
        while (offset < utf8.Length)
        {
            int length = SequenceLength(utf8, offset, out int codePoint);
            if (length == 0)
            {
                codePoints.Add(ReplacementCharacter);
                offset++;
            }
            else
            {
                codePoints.Add(codePoint);
                offset += length;
            }
        }
    }

    /// <summary>The code point's shortest UTF-8 form, as llama.cpp writes it; returns the byte count (1 to 4).</summary>
    /// <exception cref="ArgumentException">The value is above U+10FFFF, where llama.cpp throws (its tokenizer then
    /// aborts the process); the lenient decoder produces such values from lead bytes F4..F7.</exception>
    public static int Encode(int codePoint, Span<byte> destination)
    {
        switch (codePoint)
        {
            case >= 0 and <= 0x7F:
                destination[0] = (byte)codePoint;
                return 1;
            case <= 0x7FF:
                destination[0] = (byte)(0xC0 | (codePoint >> 6));
                destination[1] = (byte)(0x80 | (codePoint & 0x3F));
                return 2;
            case <= 0xFFFF:
                destination[0] = (byte)(0xE0 | (codePoint >> 12));
                destination[1] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                destination[2] = (byte)(0x80 | (codePoint & 0x3F));
                return 3;
            case <= 0x10FFFF:
                destination[0] = (byte)(0xF0 | (codePoint >> 18));
                destination[1] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
                destination[2] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                destination[3] = (byte)(0x80 | (codePoint & 0x3F));
                return 4;
            default:
                throw new ArgumentException(
                    $"The text holds a four-byte UTF-8 sequence for U+{codePoint:X}, above U+10FFFF; llama.cpp cannot tokenize it (it aborts).");
        }
    }

    // The length of the sequence at offset and its value, or 0 when llama.cpp's decoder rejects it.
    private static int SequenceLength(ReadOnlySpan<byte> utf8, int offset, out int codePoint)
    {
        byte lead = utf8[offset];
        codePoint = lead;
        if (lead < 0x80)
            return 1;
        int length = lead switch
        {
            < 0xC0 => 0,  // a continuation byte cannot start a sequence
            < 0xE0 => 2,
            < 0xF0 => 3,
            < 0xF8 => 4,
            _ => 0,
        };
        if (length == 0 || offset + length > utf8.Length)
            return 0;
        codePoint = lead & (0x7F >> length);
        for (int i = 1; i < length; i++)
        {
            byte next = utf8[offset + i];
            if ((next & 0xC0) != 0x80)
                return 0;
            codePoint = (codePoint << 6) | (next & 0x3F);
        }
        return length;
    }
}
