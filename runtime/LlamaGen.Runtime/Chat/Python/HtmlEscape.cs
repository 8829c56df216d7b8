using System.Text;

namespace LlamaGen.Chat.Python;

/// <summary>markupsafe's <c>escape</c>: <c>&amp; &lt; &gt; ' "</c> become <c>&amp;amp; &amp;lt; &amp;gt; &amp;#39; &amp;#34;</c>.</summary>
internal static class HtmlEscape
{
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>'\"") < 0)
            return text;
        var builder = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '\'': builder.Append("&#39;"); break;
                case '"': builder.Append("&#34;"); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }
}
