using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary>
/// With <c>--api-key</c>, a request needs <c>Authorization: Bearer KEY</c>; the health probe, the model list and the
/// chat page (which asks for the key itself) stay open, as in llama.cpp's server.
/// </summary>
internal sealed class ApiKeyCheck(string key)
{
    private readonly byte[] expected = Encoding.UTF8.GetBytes("Bearer " + key);

    public static bool IsOpen(PathString path) =>
        path == "/" || path == "/health" || path == "/v1/health" || path == "/v1/models" || path == "/models";

    public void Check(HttpContext context)
    {
        if (IsOpen(context.Request.Path)) return;
        string? header = context.Request.Headers.Authorization;
        if (header is null)
            throw new ApiException(401, "authentication_error", "Missing API key: send the header 'Authorization: Bearer <key>'.");
        // Constant time, so the key cannot be guessed byte by byte from response times.
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), expected))
            throw new ApiException(401, "authentication_error", "Invalid API key.");
    }
}
