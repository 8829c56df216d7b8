using System.Buffers;
using System.Text;

namespace LlamaGen.Tokenization.Tests.Units;

/// <summary>llama.cpp's detokenizer space clean-up, one-shot and streamed. (Its agreement with llama.cpp itself is
/// checked through <c>llama_detokenize</c> in the differential tests.)</summary>
public sealed class SpaceCleanupTests
{
    [Theory]
    [InlineData("Hello , world !", "Hello, world!")]
    [InlineData("a . b ? c", "a. b? c")]
    [InlineData("  .", " .")]
    [InlineData(" ,x", ",x")]
    [InlineData("a ' b", "a'b")]
    [InlineData(" ' ' ", "'' ")]
    [InlineData("it 's I 'm we 're you 've", "it's I'm we're you've")]
    [InlineData("don 't I 'd we 'll", "don 't I 'd we 'll")]
    [InlineData("x 'r", "x 'r")]
    [InlineData("x '", "x '")]
    [InlineData("", "")]
    [InlineData(" ", " ")]
    public void CleansAsLlamaCpp(string raw, string cleaned)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(raw);
        int length = SpaceCleanup.Apply(bytes);
        Assert.Equal(cleaned, Encoding.UTF8.GetString(bytes, 0, length));
    }

    [Fact]
    public void StreamEqualsOneShotHoweverTheInputIsSplit()
    {
        var random = new Random(5);
        // The bytes the clean-up cares about, plus a two-byte character to see that nothing in it is touched.
        byte[] alphabet = Encoding.UTF8.GetBytes(" ' ?!.,smrvetdlxé\0");
        for (int trial = 0; trial < 20000; trial++)
        {
            byte[] input = new byte[random.Next(0, 14)];
            for (int i = 0; i < input.Length; i++)
                input[i] = alphabet[random.Next(alphabet.Length)];
            byte[] expected = (byte[])input.Clone();
            int length = SpaceCleanup.Apply(expected);

            var stream = new SpaceCleanupStream();
            var output = new ArrayBufferWriter<byte>();
            int at = 0;
            while (at < input.Length)
            {
                int chunk = random.Next(0, input.Length - at + 1);
                stream.Write(input.AsSpan(at, chunk), output);
                at += chunk;
            }
            stream.Flush(output);
            Assert.True(output.WrittenSpan.SequenceEqual(expected.AsSpan(0, length)),
                $"{Convert.ToHexString(input)}: one-shot {Convert.ToHexString(expected, 0, length)}, streamed {Convert.ToHexString(output.WrittenSpan)}");
        }
    }

    [Fact]
    public void FlushResetsTheStream()
    {
        var stream = new SpaceCleanupStream();
        var output = new ArrayBufferWriter<byte>();
        stream.Write(" '"u8, output);
        stream.Flush(output);
        stream.Write("s"u8, output);
        stream.Flush(output);
        Assert.Equal(" 's", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
