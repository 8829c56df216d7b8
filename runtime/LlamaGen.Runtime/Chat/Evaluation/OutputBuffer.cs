using System.Text;

namespace LlamaGen.Chat.Evaluation;

/// <summary>
/// Where rendered text goes: the template's output, or the capture of a macro call, set block, filter block or recursive
/// loop. Each capture is one string the template builds, so it is held to the string limit; the final output is held
/// to the output limit in UTF-8 bytes.
/// </summary>
internal sealed class OutputBuffer(ExecutionBudget budget, bool isFinalOutput)
{
    private readonly StringBuilder _text = new();
    private long _utf8Bytes;

    public void Append(string text)
    {
        if (text.Length == 0)
            return;
        if (isFinalOutput)
        {
            _utf8Bytes += Encoding.UTF8.GetByteCount(text);
            if (_utf8Bytes > budget.Limits.MaxOutputBytes)
                throw ExecutionBudget.Exceeded($"the template's output exceeds {budget.Limits.MaxOutputBytes:N0} bytes (ChatTemplateLimits.MaxOutputBytes)");
        }
        else
        {
            budget.CheckString((long)_text.Length + text.Length);
        }
        _text.Append(text);
    }

    public override string ToString() => _text.ToString();
}
