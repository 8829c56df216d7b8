using System.Buffers.Binary;
using System.Text;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;

namespace LlamaGen.TestSupport.Reference;

/// <summary>
/// The stories260K tokenizer (<c>tok512.bin</c>, llama2.c format) as a <see cref="SentencePieceTokenizer"/>, built
/// with the mapping the fixtures README documents for GGUF, without going through a GGUF file.
/// </summary>
public static class Tok512
{
    private static readonly Lazy<SentencePieceTokenizer> tokenizer = new(Load);

    public static SentencePieceTokenizer Tokenizer => tokenizer.Value;

    private static SentencePieceTokenizer Load()
    {
        const int vocabSize = 512;
        byte[] bytes = File.ReadAllBytes(ReferenceFixtures.Stories260KTokenizer);
        var tokens = new string[vocabSize];
        var scores = new float[vocabSize];
        var types = new TokenType[vocabSize];
        int offset = 4; // max_token_length
        for (int id = 0; id < vocabSize; id++)
        {
            scores[id] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset));
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
            string piece = Encoding.UTF8.GetString(bytes, offset + 8, length);
            offset += 8 + length;

            piece = piece switch { "\n<s>\n" => "<s>", "\n</s>\n" => "</s>", _ => piece.Replace(' ', '\u2581') };
            tokens[id] = piece;
            types[id] = id == 0 ? TokenType.Unknown
                : piece is "<s>" or "</s>" ? TokenType.Control
                : piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) ? TokenType.Byte
                : TokenType.Normal;
        }
        return new SentencePieceTokenizer(new TokenizerVocabulary(tokens, scores, types));
    }
}
