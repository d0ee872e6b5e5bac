using Microsoft.AspNetCore.Http;
using System.Text.Json;
using MogFace.Engine.Json;

namespace MogFace.Http;

/// <summary>
/// The small JSON bodies of the admin routes (canary, canary plan): read capped and parsed; every failure an
/// <see cref="HttpProblemException"/>. JSON that does not parse is the client's error only here, for a request
/// body, so it is translated here rather than mapped by type for every route.
/// </summary>
internal static class JsonBody
{
    private const int MaxJsonBytes = 64 * 1024;

    /// <summary>The parsed body (null for JSON null).</summary>
    /// <exception cref="HttpProblemException">400 empty-body, 400 malformed-request, 413.</exception>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, string what, string example, CancellationToken cancellationToken)
        where T : class
    {
        using var json = await PooledBody.ReadAsync(request.Body, request.ContentLength, MaxJsonBytes, what, cancellationToken);
        if (json.Length == 0)
            throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.EmptyBody, $"The body is empty; send {example}.");
        try
        {
            return JsonSerializer.Deserialize<T>(json.Memory.Span, MogFaceJson.Options);
        }
        catch (JsonException ex)
        {
            throw new HttpProblemException(StatusCodes.Status400BadRequest, Problems.MalformedRequest, $"The body is not valid JSON: {ex.Message}");
        }
    }
}
