using System.Buffers;
using System.Text;

namespace LlamaGen.Tokenization;

/// <summary>
/// Turns generated tokens into text one token at a time. <see cref="Push"/> returns only whole characters: the
/// bytes of byte-fallback tokens are held until they form a complete UTF-8 character, and a byte sequence becomes
/// U+FFFD only once no further byte can complete it, and where the tokenizer cleans up spaces (BPE), a space is held
/// until the next bytes show whether the clean-up removes it. The outputs of <see cref="Push"/> followed by
/// <see cref="Flush"/> concatenate to exactly <see cref="Tokenizer.Decode(ReadOnlySpan{int}, bool)"/> of the same ids,
/// including the leading-space rule for the first token and the dropped leading BOS.
/// </summary>
/// <remarks>Not thread-safe: one instance per generated sequence.</remarks>
public sealed class StreamingDecoder
{
    private readonly Tokenizer _tokenizer;
    private readonly bool _renderSpecialTokens;
    // The same UTF-8 decoder the one-shot Decode uses, fed incrementally, so replacement characters come out
    // identically however the bytes are split.
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _output = new();
    // The space clean-up between the pieces and the UTF-8 decoder, when the tokenizer has one.
    private readonly SpaceCleanupStream? _cleanup;
    private readonly ArrayBufferWriter<byte> _cleaned = new();
    private char[] _chars = new char[64];
    private bool _started;
    private bool _removeSpace;
    // An EOS that renders as text is dropped by Decode only when it ends the sequence, so it waits here until the
    // next token shows it is not the last.
    private bool _eosPending;

    /// <summary>Creates a decoder that renders tokens as <see cref="Tokenizer.Decode(ReadOnlySpan{int}, bool)"/> does.</summary>
    /// <param name="tokenizer">The tokenizer whose ids will be pushed.</param>
    /// <param name="renderSpecialTokens">Show control and unknown tokens as their text (llama.cpp's <c>unparse_special</c>).</param>
    public StreamingDecoder(Tokenizer tokenizer, bool renderSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _renderSpecialTokens = renderSpecialTokens;
        if (tokenizer.CleansSpaces)
            _cleanup = new SpaceCleanupStream();
    }

    /// <summary>Adds one token and returns the text that became complete with it (possibly empty).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is outside the vocabulary.</exception>
    public string Push(int id)
    {
        _tokenizer.ValidateId(id, nameof(id));
        if (!_started)
        {
            _started = true;
            _removeSpace = _tokenizer.DecodeRemovesFirstSpace;
            if (!_renderSpecialTokens && _tokenizer.AddBos && id == _tokenizer.BosId)
            {
                _removeSpace = false;
                return string.Empty;
            }
        }

        _output.Clear();
        if (_eosPending)
        {
            _eosPending = false;
            Append(_tokenizer.EosId);
        }
        if (!_renderSpecialTokens && _tokenizer.AddEos && id == _tokenizer.EosId)
            _eosPending = true;
        else
            Append(id);
        return _output.ToString();
    }

    /// <summary>Ends the sequence: returns what is still held (incomplete UTF-8 as U+FFFD) and resets the decoder for a new sequence.</summary>
    public string Flush()
    {
        _output.Clear();
        if (_cleanup is not null)
        {
            _cleaned.Clear();
            _cleanup.Flush(_cleaned);
            Decode(_cleaned.WrittenSpan, flush: false);
        }
        Decode([], flush: true);
        _started = false;
        _removeSpace = false;
        _eosPending = false;
        return _output.ToString();
    }

    private void Append(int id)
    {
        ReadOnlySpan<byte> piece = _tokenizer.GetPieceBytes(id, _renderSpecialTokens, _removeSpace);
        _removeSpace = false;
        if (_cleanup is null)
        {
            Decode(piece, flush: false);
            return;
        }
        _cleaned.Clear();
        _cleanup.Write(piece, _cleaned);
        Decode(_cleaned.WrittenSpan, flush: false);
    }

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = _utf8.GetCharCount(bytes, flush: false) + 4;
        if (_chars.Length < needed)
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int written = _utf8.GetChars(bytes, _chars, flush);
        _output.Append(_chars, 0, written);
    }
}
