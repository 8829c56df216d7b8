using System.Buffers.Binary;
using System.Text;

namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// The decoding half of llama2.c's tokenizer, ported plainly from <c>run.c</c> (<c>decode</c> and
/// <c>safe_printf</c>), reading <c>tokenizer.bin</c> directly: int32 max_token_length, then per token a float32
/// score, an int32 byte length and the bytes. Used to turn reference ids into the text run.c prints.
/// </summary>
public sealed class Llama2CTokenizer
{
    private const int Bos = 1;
    private readonly byte[][] pieces;

    private Llama2CTokenizer(byte[][] pieces) => this.pieces = pieces;

    public int VocabSize => pieces.Length;

    public static Llama2CTokenizer Load(string path, int vocabSize)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var pieces = new byte[vocabSize][];
        int offset = 4; // max_token_length, unused when decoding
        for (int i = 0; i < vocabSize; i++)
        {
            if (offset + 8 > bytes.Length)
                throw new InvalidDataException($"{path}: token {i} header at byte {offset} runs past the end ({bytes.Length} bytes).");
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
            offset += 8;
            if (length < 0 || offset + length > bytes.Length)
                throw new InvalidDataException($"{path}: token {i} has length {length} at byte {offset - 4}, past the end ({bytes.Length} bytes).");
            pieces[i] = bytes.AsSpan(offset, length).ToArray();
            offset += length;
        }
        if (offset != bytes.Length)
            throw new InvalidDataException($"{path}: {bytes.Length - offset} bytes left after {vocabSize} tokens.");
        return new Llama2CTokenizer(pieces);
    }

    /// <summary>
    /// The bytes run.c prints for <paramref name="token"/> following <paramref name="previous"/>: the piece, minus
    /// its leading space right after BOS, with <c>&lt;0xNN&gt;</c> turned into the byte, and nothing at all for a
    /// lone byte that is neither printable nor whitespace (safe_printf).
    /// </summary>
    public byte[] DecodePrintable(int previous, int token)
    {
        ReadOnlySpan<byte> piece = pieces[token];
        if (previous == Bos && piece.Length > 0 && piece[0] == (byte)' ')
            piece = piece[1..];
        if (TryParseBytePiece(piece, out byte value))
            piece = new[] { value };
        // printf("%s") stops at the first NUL.
        int nul = piece.IndexOf((byte)0);
        if (nul >= 0) piece = piece[..nul];
        if (piece.Length == 0) return [];
        if (piece.Length == 1 && !(IsPrint(piece[0]) || IsSpace(piece[0]))) return [];
        return piece.ToArray();
    }

    /// <summary>run.c's whole printed output for a generated sequence that starts after <paramref name="first"/>.</summary>
    public string DecodeSequence(int first, IReadOnlyList<int> generated)
    {
        var output = new List<byte>();
        int previous = first;
        foreach (int token in generated)
        {
            output.AddRange(DecodePrintable(previous, token));
            previous = token;
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    // sscanf(piece, "<0x%02hhX>", &byte_val) == 1
    private static bool TryParseBytePiece(ReadOnlySpan<byte> piece, out byte value)
    {
        value = 0;
        if (piece.Length != 6 || piece[0] != '<' || piece[1] != '0' || piece[2] != 'x' || piece[5] != '>') return false;
        return byte.TryParse(Encoding.ASCII.GetString(piece.Slice(3, 2)), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    // C locale isprint / isspace.
    private static bool IsPrint(byte c) => c >= 0x20 && c < 0x7F;
    private static bool IsSpace(byte c) => c == ' ' || (c >= '\t' && c <= '\r');
}
