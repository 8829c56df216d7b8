using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary><c>GET /</c>: the web chat page, one HTML file embedded in this assembly.</summary>
internal static class ChatPageEndpoint
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using Stream stream = typeof(ChatPageEndpoint).Assembly.GetManifestResourceStream("LlamaGen.Server.ChatPage.html")
            ?? throw new InvalidOperationException("The chat page resource LlamaGen.Server.ChatPage.html is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static async Task HandleAsync(HttpContext context)
    {
        byte[] page = Page.Value;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = page.Length;
        await context.Response.Body.WriteAsync(page, context.RequestAborted).ConfigureAwait(false);
    }
}
