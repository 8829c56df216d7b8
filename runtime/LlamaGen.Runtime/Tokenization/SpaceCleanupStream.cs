using System.Buffers;

namespace LlamaGen.Tokenization;

/// <summary>
/// <see cref="SpaceCleanup"/> as a stream: bytes go in as tokens are decoded, and each byte comes out as soon as no later
/// byte can change it (a space waits for the next byte, <c>" '"</c> for one or two more). The concatenated output
/// equals <see cref="SpaceCleanup.Apply"/> of the concatenated input, however the input is split. Each of llama.cpp's
/// three passes is a small state machine feeding the next.
/// </summary>
internal sealed class SpaceCleanupStream
{
    private const int None = -1;

    private IBufferWriter<byte> _output = null!;

    // Pass 1: a written space that a following ?!., would remove.
    private bool _pass1Space;

    // Pass 2: the held bytes (" " or " '"), and the byte the next input sees before it (NUL after a removal, None at the start).
    private int _pass2Held;
    private int _pass2Previous = None;

    // Pass 3: the held bytes (" ", " '", " 'r" or " 'v") and the byte before the next input.
    private int _pass3Held;
    private int _pass3Letter;
    private int _pass3Previous = None;

    public void Write(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        _output = output;
        foreach (byte b in bytes)
            Pass1(b);
    }

    /// <summary>Releases what is held (the input has ended) and resets for a new text.</summary>
    public void Flush(IBufferWriter<byte> output)
    {
        _output = output;
        if (_pass1Space)
            Pass2(' ');
        if (_pass2Held >= 1)
            Pass3(' ');
        if (_pass2Held == 2)
            Pass3('\'');
        for (int i = 0; i < _pass3Held; i++)
            Emit(i == 0 ? ' ' : i == 1 ? '\'' : _pass3Letter);
        _pass1Space = false;
        _pass2Held = _pass3Held = 0;
        _pass2Previous = _pass3Previous = None;
    }

    private void Pass1(int x)
    {
        if (_pass1Space)
        {
            _pass1Space = false;
            if (x is not ('?' or '!' or '.' or ','))
                Pass2(' ');
        }
        if (x == ' ')
            _pass1Space = true;
        else
            Pass2(x);
    }

    private void Pass2(int x)
    {
        if (_pass2Held == 2)
        {
            _pass2Held = 0;
            if (x == ' ')
            {
                // " ' ": both spaces go, and the consumed one reads as NUL to the next byte.
                Pass3('\'');
                _pass2Previous = 0;
                return;
            }
            Pass3(' ');
            Pass3('\'');
            _pass2Previous = '\'';
        }
        if (x == '\'' && _pass2Previous == ' ')
        {
            _pass2Held = 2;
            _pass2Previous = x;
            return;
        }
        if (_pass2Held == 1)
            Pass3(' ');
        _pass2Held = 0;
        if (x == ' ')
            _pass2Held = 1;
        else
            Pass3(x);
        _pass2Previous = x;
    }

    private void Pass3(int x)
    {
        if (_pass3Held == 2)
        {
            if (x is 's' or 'm')
            {
                _pass3Held = 0;
                Emit('\'');
                _pass3Previous = '\'';
            }
            else if (x is 'r' or 'v')
            {
                _pass3Held = 3;
                _pass3Letter = x;
                _pass3Previous = x;
                return;
            }
            else
            {
                _pass3Held = 0;
                Emit(' ');
                Emit('\'');
                _pass3Previous = '\'';
            }
        }
        else if (_pass3Held == 3)
        {
            _pass3Held = 0;
            if (x != 'e')
                Emit(' ');
            Emit('\'');
            Emit(_pass3Letter);
            _pass3Previous = _pass3Letter;
        }

        if (x == '\'' && _pass3Previous == ' ')
        {
            _pass3Held = 2;
            _pass3Previous = x;
            return;
        }
        if (_pass3Held == 1)
            Emit(' ');
        _pass3Held = 0;
        if (x == ' ')
            _pass3Held = 1;
        else
            Emit(x);
        _pass3Previous = x;
    }

    private void Emit(int b)
    {
        Span<byte> span = _output.GetSpan(1);
        span[0] = (byte)b;
        _output.Advance(1);
    }
}
