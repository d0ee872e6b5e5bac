using Microsoft.AspNetCore.Http;
using System.Text.Json;
using MogFace.Engine.Json;

namespace MogFace.Http;

/// <summary>The small JSON bodies of the admin routes (canary, canary plan): read capped, parsed, every failure a problem+json.</summary>
internal static class JsonBody
{
    private const int MaxJsonBytes = 64 * 1024;

    /// <summary>The parsed body (null for JSON null), or the problem to answer: 400 empty-body, 400 malformed-request, 413.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, string what, string example, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var json = await PooledBody.ReadAsync(request.Body, request.ContentLength, MaxJsonBytes, what, cancellationToken);
            if (json.Length == 0)
                return (null, Problems.Create(400, Problems.EmptyBody, $"The body is empty; send {example}."));
            return (JsonSerializer.Deserialize<T>(json.Memory.Span, MogFaceJson.Options), null);
        }
        catch (HttpProblemException ex)
        {
            return (null, Problems.From(ex));
        }
        catch (JsonException ex)
        {
            return (null, Problems.Create(400, Problems.MalformedRequest, $"The body is not valid JSON: {ex.Message}"));
        }
    }
}
