namespace LlamaGen.Tokenization;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c>: every byte gets a printable character, so byte-level BPE vocabularies are text.
/// The printable bytes <c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c> and <c>®</c>..<c>ÿ</c> stand for themselves; the other 68
/// (controls, space, DEL, NBSP, soft hyphen...) take U+0100, U+0101, ... in byte order, so a space is <c>Ġ</c> (U+0120)
/// and a newline <c>Ċ</c> (U+010A).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    // Inverse over U+0000..U+0143, -1 where a character stands for no byte.
    private static readonly short[] CharToByte = BuildCharToByte();

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => ByteToChar[value];

    /// <summary>The byte a character stands for, or false for a character outside the alphabet.</summary>
    public static bool TryGetByte(int character, out byte value)
    {
        if ((uint)character < (uint)CharToByte.Length && CharToByte[character] >= 0)
        {
            value = (byte)CharToByte[character];
            return true;
        }
        value = 0;
        return false;
    }

    private static bool StandsForItself(int b) => b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 0x100;
        for (int b = 0; b < 256; b++)
            map[b] = StandsForItself(b) ? (char)b : (char)next++;
        return map;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[0x144];
        map.AsSpan().Fill(-1);
        for (int b = 0; b < 256; b++)
            map[ByteToChar[b]] = (short)b;
        return map;
    }
}
