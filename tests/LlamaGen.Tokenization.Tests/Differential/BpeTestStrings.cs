using System.Text;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// The inputs the tokenizers are compared with llama.cpp on, as UTF-8 bytes: a curated list of hard cases, then a
/// deterministic (fixed-seed) stream of mixtures drawn from every category the pre-tokenizers treat differently:
/// scripts, emoji sequences, digits of every length and numbering system, code, contractions in every case, white-space
/// runs of every kind, CR/LF, supplementary-plane letters and digits, characters Unicode assigned after llama.cpp's
/// tables, special-token look-alikes, control characters, and (in about one input in eight) invalid UTF-8.
/// </summary>
internal static class BpeTestStrings
{
    public static readonly string[] Curated =
    [
        "", " ", "  ", "   ", "\t", "\n", "\r", "\r\n", "\n\n", "\r\n\r\n", " \n", "\n ", " \r\n ", "\t\n\t", "a", "A", "0", ".", "'", "''",
        "Hello world", " Hello world", "Hello world ", "  Hello  world  ", "Hello\tworld", "Hello\nworld", "Hello\r\nworld\r\n",
        "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "I'm you're he's we've they'll she'd it't",
        "I'M YOU'RE HE'S WE'VE THEY'LL SHE'D", "I'm You'Re He'S We'vE They'Ll She'D", "'s 't 're 've 'm 'll 'd", "'S 'T 'RE 'VE 'M 'LL 'D",
        "don't", "DON'T", "o'clock", "rock'n'roll", "'tis", "''s", "' s", "x'", "x''y", "it’s", "’s", "'\u0301s",
        "Hello, world! How are you? I'm fine. Thanks, bye .", "a , b . c ? d ! e", "a ' b", " ' ' ", "x 's y 'm z 're w 've v 't u 'd t 'll",
        "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890", "12345678901234567890123",
        "3.14159", "-42", "+7", "1,000,000", "1 000 000", "0x1F", "1e-10", "2024-06-11T12:34:56Z", "v1.2.3", "a1b2c3", "A123b4567",
        "٠١٢٣٤٥٦٧٨٩", "०१२३४५६", "０１２３４５６７", "𝟎𝟏𝟐𝟑𝟒", "𑁦𑁧𑁨", "²³¹", "½¼¾", "ⅫⅯ", "①②③④", "𒐀𒐁", "၁၂၃",
        "Привет, мир!", "Съешь же ещё этих мягких французских булок", "你好，世界！", "我爱自然语言处理。", "日本語のテキストです。", "カタカナ", "한국어 텍스트",
        "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "বাংলা", "ภาษาไทย", "ქართული", "Հայերեն", "ኢትዮጵያ", "தமிழ்", "ᏣᎳᎩ", "ⵜⴰⵎⴰⵣⵉⵖⵜ",
        "Γειά σου Κόσμε", "Ἀθῆναι", "café résumé naïve façade", "Ærøskøbing", "Straße", "İstanbul ıi", "ǅ ǈ ǋ", "µ ſ ß ẞ",
        "e\u0301 a\u0300 o\u0308 n\u0303", "Z\u0351\u036B\u0343a\u0352l\u0350g\u030Co", "\u0915\u094D\u0937", "\u0301\u0302", " \u0301",
        "😀", "😀😃😄", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇸🇯🇵🇩🇪", "❤️", "1️⃣", "a😀b", " 😀 ", "😀\n", "🤖🤖🤖🤖",
        "𐐀𐐨𐑏", "𝐀𝐁𝐂 𝑎𝑏𝑐", "𠀀𠀁𠀂", "𐌰𐌱𐌲", "𓀀𓀁", "𞤀𞤁𞤢", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a𐐀b", " 𐐀", "1𝟏1",
        "\u1C89\u1C8A", "\uA7CB\uA7CC\uA7CD", "\U000105C0\U000105C1", "\u0897", "x\u1C89y", " \uA7CB", "\u2427\u31E4",
        "\u0000", "\u0001\u0002\u0003", "\u007F", "\u0085", "\u0080\u009F", "\u00A0", "\u00A0x", "x\u00A0\u00A0y", "\u1680", "\u2000\u2001\u200A",
        "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\u3000x", "x\u3000\u3000", "\u200B", "zero\u200Bwidth", "\u180E", "a\u180Eb",
        "\uFEFFbom", "\uFEFF", "\u000B\u000C", "\u001C\u001D\u001E\u001F", "\uFFFD", "\uFFFE\uFFFF", "\uE000\uF8FF", "\U0010FFFF", "\U000E0041",
        "\u2018quoted\u2019", "\u201Cdouble\u201D", "！？。、", "（括号）", "\u3001\u3002", "…", "—", "«»", "¡¿", "§¶",
        "<|endoftext|>", "<|endoftext|><|endoftext|>", "a<|endoftext|>b", " <|endoftext|> ", "<|endoftext", "endoftext|>", "<|end|>",
        "<|eot_id|>", "<|im_end|>", "<s>", "</s>", "<unk>", "<|begin_of_text|>", "<fim_prefix>", "<fim_suffix>x<fim_middle>", "<pad>",
        "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<|User|>", "<|Assistant|>", "<|EOT|>", "<|padding|>", "[PAD49152]",
        "public static void Main(string[] args)\n{\n    Console.WriteLine(\"Hello\");\n}\n",
        "def f(x):\n\treturn x ** 2  # square\n\nprint(f(3))\n",
        "{\"name\": \"llama\", \"values\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}",
        "<html><body><p class=\"x\">Hi &amp; bye</p></body></html>", "SELECT * FROM users WHERE id = 1;", "x => x * 2; // lambda",
        "if (a && b || !c) { return; }", "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Windows\\System32",
        "    indented", "\t\tdouble tab", "a  b   c    d     e", "word,word.word;word:word", "!!!???...", "----", "====",
        "____", "****", "~~~~", "$$$", "^^^", "|||", "```", "+-*/", "<=>", "~!@#$%^&*()_+`-={}|[]\\:\";'<>?,./", "a~b", "$x ^y |z `w",
        "ﬁ ﬂ ﬀ", "Ａ Ｂ Ｃ ａｂｃ", "™ © ®", "€ £ ¥ ₹ ₿", "→ ← ↑ ↓", "∀x∈ℝ: x²≥0", "±×÷", "°C", "𝄞 music",
        "   \n   ", "  \t  x", "x  \n  ", "x\n\n\ny", "\n\n\n\n\n\n\n\n", "          ", "x          y", " \u00A0 ", "\t \u3000 \u2003 x",
    ];

    private static readonly string[] Words =
    [
        "the", "a", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his",
        "they", "I", "at", "be", "this", "have", "from", "Hello", "World", "Llama", "token", "tokenizer", "merges", "GPT",
        "unbelievable", "antidisestablishmentarianism", "don't", "can't", "O'Brien", "e-mail", "co-operate", "U.S.A.",
        "WE'LL", "She'S", "IT'D", "they'Re", "I'M", "you'VE", "HTML5", "x86_64", "snake_case", "camelCase", "PascalCase",
    ];

    private static readonly string[] Pieces =
    [
        "Привет", "мир", "你好", "世界", "日本", "語", "한국", "مرحبا", "नमस्ते", "Γειά", "café", "naïve", "Straße", "ภาษา", "ქარ",
        "e\u0301", "a\u0308", "\u0915\u094D\u0937", "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇺🇸", "🏳️‍🌈", "❤️", "1️⃣", "𝄞", "𐐀𐐨", "𝐀𝐁", "𠀀", "𞤀",
        "\u1C89", "\uA7CB", "\U000105C0", "\u0897", "’", "‘", "“", "”", "！", "。", "、", "…",
        "<|endoftext|>", "<|end", "oftext|>", "<s>", "</s>", "<|eot_id|>", "<|im_end|>", "<fim_prefix>", "<｜end▁of▁sentence｜>", "<|EOT|>",
        "{", "}", "(", ")", "[", "]", ";", "=>", "==", "!=", "//", "/*", "*/", "\"", "'", "`", "\\", "#", "@", "$", "%", "^", "|", "~", "<", ">",
        "'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'ve", "'VE", "'m", "'M", "'ll", "'LL", "'lL", "'d", "'D",
    ];

    private static readonly string[] Digits = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "０１２３４５６７８９", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗", "𑁦𑁧𑁨𑁩𑁪𑁫𑁬𑁭𑁮𑁯", "²³¹⁴", "½⅓¼", "ⅠⅡⅢⅣ", "①②③"];

    private static readonly string[] Spaces =
        [" ", " ", " ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\n\n", " \n", "\n ", "\u00A0", "\u3000", "\u2003", "\u0085", "\u2028", "\u000B", "\u000C", "\u001F", "\u200B", "\u180E"];

    private static readonly string[] Separators = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "", "", "", " \n", ",", ".", " - ", "'", "\u00A0"];

    /// <summary>The curated cases followed by <paramref name="count"/> generated ones, as UTF-8 (some invalid).</summary>
    public static IEnumerable<byte[]> All(int count, int seed) =>
        Curated.Select(Encoding.UTF8.GetBytes).Concat(InvalidUtf8Cases).Concat(Generated(count, seed));

    /// <summary>Hand-made invalid UTF-8: lone continuation bytes, truncated sequences, overlong forms, surrogates, bytes
    /// no UTF-8 uses. Four-byte forms above U+10FFFF are left out: llama.cpp aborts on them.</summary>
    public static IEnumerable<byte[]> InvalidUtf8Cases =>
    [
        [0x80], [0xBF], [0x80, 0x80], [0xC3], [0xC3, 0x41], [0xE2, 0x82], [0xE2, 0x82, 0x41], [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x41, 0x41],
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], [0xF8], [0xFE, 0xFF], [0xFF, 0x41, 0xFF],
        [0x41, 0xC3, 0x20, 0x41], [0x20, 0x80, 0x20], [0xC2, 0xA0, 0x80], [0x27, 0xC0, 0xB3], [0x27, 0xC1, 0x93], [0x31, 0xC0, 0xB1, 0x32],
        [0x3C, 0x7C, 0xC0, 0x80, 0x7C, 0x3E], [0xE3, 0x80, 0x80, 0xE3, 0x80], [0x0D, 0xC0, 0x8A], [0xC0, 0xA0, 0x41], [0xF4, 0x8F, 0xBF, 0xBF],
    ];

    private static IEnumerable<byte[]> Generated(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            if (random.Next(6) == 0)
                sb.Append(Spaces[random.Next(Spaces.Length)]);
            int parts = random.Next(1, 12);
            for (int p = 0; p < parts; p++)
            {
                switch (random.Next(12))
                {
                    case < 3: sb.Append(Words[random.Next(Words.Length)]); break;
                    case < 6: sb.Append(Pieces[random.Next(Pieces.Length)]); break;
                    case 6: AppendDigits(sb, random); break;
                    case 7: AppendRandomCodePoints(sb, random, random.Next(1, 5)); break;
                    case 8: AppendSpaces(sb, random); break;
                    case 9: sb.Append(Curated[random.Next(Curated.Length)]); break;
                    case 10: sb.Append(random.Next(2) == 0 ? "\r\n" : "\n"); break;
                    default: sb.Append(Words[random.Next(Words.Length)].ToUpperInvariant()); break;
                }
                sb.Append(Separators[random.Next(Separators.Length)]);
            }
            byte[] bytes = Encoding.UTF8.GetBytes(sb.ToString());
            yield return random.Next(8) == 0 ? Corrupt(bytes, random) : bytes;
        }
    }

    private static void AppendDigits(StringBuilder sb, Random random)
    {
        string digits = random.Next(3) == 0 ? Digits[random.Next(Digits.Length)] : Digits[0];
        var runes = digits.EnumerateRunes().ToArray();
        int length = random.Next(1, 41);
        for (int i = 0; i < length; i++)
            sb.Append(runes[random.Next(runes.Length)].ToString());
    }

    private static void AppendSpaces(StringBuilder sb, Random random)
    {
        int length = random.Next(1, 12);
        bool mixed = random.Next(3) == 0;
        string single = Spaces[random.Next(Spaces.Length)];
        for (int i = 0; i < length; i++)
            sb.Append(mixed ? Spaces[random.Next(Spaces.Length)] : single);
    }

    private static void AppendRandomCodePoints(StringBuilder sb, Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int c = random.Next(10) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x4E00, 0x9FFF),
                3 => random.Next(0x1F300, 0x1FAFF),
                4 => random.Next(0x10000, 0x30000),
                5 => random.Next(0x30000, 0x110000),
                6 => random.Next(0, 0x20),
                7 => random.Next(0x2000, 0x2070),
                8 => random.Next(0x0300, 0x0370),
                _ => random.Next(0x800, 0x10000),
            };
            // Lone surrogates cannot be written to UTF-8 from text; the invalid-UTF-8 cases cover them as bytes.
            sb.Append(c is >= 0xD800 and < 0xE000 ? "\uFFFD" : char.ConvertFromUtf32(c));
        }
    }

    // Invalid UTF-8: random bytes from 0x80..0xFF overwrite or join the text, never forming a four-byte sequence above
    // U+10FFFF (llama.cpp aborts on those, so they cannot be compared).
    private static byte[] Corrupt(byte[] bytes, Random random)
    {
        var list = bytes.ToList();
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            byte b = (byte)random.Next(0x80, 0x100);
            int at = random.Next(list.Count + 1);
            if (random.Next(2) == 0 || at == list.Count)
                list.Insert(at, b);
            else
                list[at] = b;
        }
        byte[] result = [.. list];
        for (int i = 0; i + 3 < result.Length; i++)
        {
            bool above = result[i] is >= 0xF5 and <= 0xF7 || (result[i] == 0xF4 && result[i + 1] >= 0x90);
            if (above && (result[i + 1] & 0xC0) == 0x80 && (result[i + 2] & 0xC0) == 0x80 && (result[i + 3] & 0xC0) == 0x80)
                result[i] = 0xFF;
        }
        return result;
    }
}
