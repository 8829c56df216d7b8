using System.Text;

namespace LlamaGen.Oracle.Tests.Tokenization;

/// <summary>
/// The strings the tokenizer is compared on: a curated list of hard cases and a deterministic (fixed-seed) stream
/// of generated mixtures. Lone surrogates are included on purpose: both sides receive text as UTF-8 through
/// <see cref="Encoding.UTF8"/>, which turns each into U+FFFD, and the comparison checks that they agree on it.
/// </summary>
internal static class TokenizerTestStrings
{
    public static readonly string[] Curated =
    [
        "", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n\n", " \n ", "\t\t  \n", "a", "A", "z", "0", ".", "!", "<", ">", "\u2581", "\u2581\u2581 x",
        "Hello world", " Hello world", "Hello world ", "  Hello  world  ", "Hello\tworld", "Hello\nworld", "Hello\r\nworld\r\n",
        "leading space", " leading space", "trailing space ", "trailing newline\n",
        "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "it's don't we'll they're I'm",
        "1", "12", "123", "1234567890", "3.14159265358979", "-42", "1,000,000", "0x1F", "2024-06-11T12:34:56Z", "99999999999999999999999",
        "Привет, мир!", "Съешь же ещё этих мягких французских булок", "你好，世界", "我爱自然语言处理。", "日本語のテキストです。", "한국어 텍스트",
        "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "Γειά σου Κόσμε", "ελληνικά", "Ἀθῆναι",
        "café résumé naïve façade", "Ærøskøbing", "Straße", "İstanbul", "ǅ ǈ ǋ",
        "e\u0301 a\u0300 o\u0308 n\u0303", "Z\u0351\u036B\u0343a\u0352l\u0350g\u030Co", "\u0915\u094D\u0937",
        "😀", "😀😃😄", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇸🇯🇵🇩🇪", "❤️", "🤖 a\n\nb", "a😀b", "😀 ", " 😀",
        "\u0000", "\u0001\u0002", "\u007F", "\u00A0non-breaking", "zero\u200Bwidth", "\uFEFFbom", "\uFFFD", "\U0010FFFF", "\U0001D11E music",
        "lone \uD800 high", "lone \uDC00 low", "\uDBFF", "pair \uD83D\uDE00 ok", "reversed \uDE00\uD83D",
        "<s>", "</s>", "<unk>", "<s>Hello</s>", "<s> Hello </s>", "a<s>b", "<s><s>", "</s></s>", "<unk><s></s>",
        "[INST] What is 2+2? [/INST]", "<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi [/INST]", "<<SYS>>", "<</SYS>>",
        "<0x41>", "<0x0A>", "<0xFF>", "<<s>>", "<s", "s>", "</s", "< s>",
        "public static void Main(string[] args)\n{\n    Console.WriteLine(\"Hello\");\n}\n",
        "def f(x):\n\treturn x ** 2  # square\n\nprint(f(3))\n",
        "{\"name\": \"llama\", \"values\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}",
        "<html><body><p class=\"x\">Hi &amp; bye</p></body></html>",
        "SELECT * FROM users WHERE id = 1;", "x => x * 2; // lambda", "if (a && b || !c) { return; }",
        "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Windows\\System32",
        "    indented code", "\t\tdouble tab", "a  b   c    d     e", "word,word.word;word:word",
        "!!!???...", "----", "====", "____", "****", "~~~~", "``` code ```", "$$ x^2 $$",
        "ﬁ ﬂ ﬀ", "Ａ Ｂ Ｃ", "①②③", "½ ¼ ¾", "™ © ®", "€ £ ¥ ₹", "→ ← ↑ ↓", "∀x∈ℝ: x²≥0",
    ];

    private static readonly string[] Words =
    [
        "the", "a", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his",
        "they", "I", "at", "be", "this", "have", "from", "Hello", "World", "Llama", "token", "tokenizer", "SentencePiece",
        "unbelievable", "antidisestablishmentarianism", "don't", "can't", "O'Brien", "e-mail", "co-operate", "U.S.A.",
    ];

    private static readonly string[] Pieces =
    [
        "Привет", "мир", "你好", "世界", "日本", "語", "한국", "مرحبا", "नमस्ते", "Γειά", "café", "naïve", "Straße",
        "e\u0301", "a\u0308", "\u0915\u094D\u0937", "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇺🇸", "🏳️‍🌈", "❤️", "\U0001D11E",
        "<s>", "</s>", "<unk>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<0x41>", "<0x0A>", "\u2581",
        "{", "}", "(", ")", "[", "]", ";", "=>", "==", "!=", "//", "/*", "*/", "\"", "'", "`", "\\", "#", "@", "$", "%",
        "0", "7", "42", "1000", "3.14", "-1", "1e10", "0xFF",
    ];

    private static readonly string[] Separators = [" ", " ", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", "", "", " \n", ",", ".", " - "];

    /// <summary>Deterministic mixtures of words, multilingual pieces, emoji, code, special-token lookalikes,
    /// digits and whitespace runs, plus some random code points (including lone surrogates).</summary>
    public static IEnumerable<string> Generated(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            if (random.Next(6) == 0)
                sb.Append(Separators[random.Next(Separators.Length)]); // leading whitespace sometimes
            int parts = random.Next(1, 14);
            for (int p = 0; p < parts; p++)
            {
                switch (random.Next(10))
                {
                    case < 4: sb.Append(Words[random.Next(Words.Length)]); break;
                    case < 7: sb.Append(Pieces[random.Next(Pieces.Length)]); break;
                    case 7: sb.Append(random.NextInt64(0, long.MaxValue) >> random.Next(0, 60)); break;
                    case 8: AppendRandomCodePoints(sb, random, random.Next(1, 4)); break;
                    default: sb.Append(new string(' ', random.Next(1, 6))); break;
                }
                sb.Append(Separators[random.Next(Separators.Length)]);
            }
            yield return sb.ToString();
        }
    }

    private static void AppendRandomCodePoints(StringBuilder sb, Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            switch (random.Next(8))
            {
                case 0: sb.Append((char)random.Next(0x20, 0x7F)); break;                  // ASCII
                case 1: sb.Append((char)random.Next(0x80, 0x800)); break;                 // 2-byte UTF-8
                case 2: sb.Append((char)random.Next(0x4E00, 0x9FFF)); break;              // CJK
                case 3: sb.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1FAFF))); break; // emoji planes
                case 4: sb.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x10FFFF))); break;
                case 5: sb.Append((char)random.Next(0xD800, 0xE000)); break;              // a lone surrogate
                case 6: sb.Append((char)random.Next(0, 0x20)); break;                    // control characters
                default:
                    int c = random.Next(0x800, 0xFFFE);
                    sb.Append(c is >= 0xD800 and < 0xE000 ? '\uFFFD' : (char)c);
                    break;
            }
        }
    }
}
