using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using MogFace.Engine.Detection;
using MogFace.Registry.Telemetry;

namespace MogFace.Http;

/// <summary>What a detect request asks for, from its query string and headers (422 when invalid).</summary>
/// <param name="Version">The version the request is pinned to (<c>?version=</c> or the <c>X-Model-Version</c> request header), else null.</param>
public sealed record DetectQuery(DetectionOptions Options, bool Annotate, string? AnnotateMediaType, string? Version = null)
{
    public static DetectQuery Parse(HttpRequest request)
    {
        var query = request.Query;
        float? threshold = null;
        if (query.TryGetValue("threshold", out var t))
        {
            if (!float.TryParse(t.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw HttpProblemException.Invalid($"threshold must be a number within [0, 1]; got '{t}'.");
            threshold = value;
        }
        var maxFaces = Integer(query, "maxFaces", "a positive integer");
        var maxSide = Integer(query, "maxSide", $"an integer within [{DetectionOptions.MinMaxSide}, {DetectionOptions.MaxMaxSide}]");
        var annotate = false;
        if (query.TryGetValue("annotate", out var a))
        {
            var text = a.ToString();
            if (text.Length == 0)
                annotate = true;
            else if (!bool.TryParse(text, out annotate))
                throw HttpProblemException.Invalid($"annotate must be true or false; got '{text}'.");
        }
        var options = new DetectionOptions { Threshold = threshold, MaxFaces = maxFaces, MaxSide = maxSide };
        if (options.Validate() is { } problem)
            throw HttpProblemException.Invalid(problem);

        var accepted = AcceptedImageType(request);
        return new DetectQuery(options, annotate || accepted is not null, accepted, PinnedVersion(request));
    }

    /// <summary>
    /// The same header that names the answering version on a response pins a request when sent; with the query
    /// parameter as well, both must agree.
    /// </summary>
    private static string? PinnedVersion(HttpRequest request)
    {
        string? fromQuery = request.Query.TryGetValue("version", out var q) ? q.ToString() : null;
        string? fromHeader = request.Headers.TryGetValue(DetectHandler.ModelVersionHeader, out var h) ? h.ToString() : null;
        if (fromQuery is not null && string.IsNullOrWhiteSpace(fromQuery) || fromHeader is not null && string.IsNullOrWhiteSpace(fromHeader))
            throw HttpProblemException.Invalid("version must name a model version; got an empty value.");
        if (fromQuery is not null && fromHeader is not null && !string.Equals(fromQuery, fromHeader, StringComparison.Ordinal))
            throw HttpProblemException.Invalid($"version '{fromQuery}' and the {DetectHandler.ModelVersionHeader} header '{fromHeader}' disagree; send one.");
        return fromQuery ?? fromHeader;
    }

    /// <summary>An optional integer query parameter (422 naming <paramref name="expected"/> when it is not one).</summary>
    private static int? Integer(IQueryCollection query, string name, string expected)
    {
        if (!query.TryGetValue(name, out var text))
            return null;
        if (!int.TryParse(text.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw HttpProblemException.Invalid($"{name} must be {expected}; got '{text}'.");
        return value;
    }

    /// <summary>image/jpeg or image/png when the client asks for an image back (image/* means JPEG).</summary>
    private static string? AcceptedImageType(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept is not { Count: > 0 })
            return null;
        foreach (var value in accept.OrderByDescending(v => v.Quality ?? 1))
        {
            if (value.Quality == 0)
                continue;
            if (value.MediaType.Equals("image/png", StringComparison.OrdinalIgnoreCase))
                return "image/png";
            if (value.MediaType.Equals("image/jpeg", StringComparison.OrdinalIgnoreCase) ||
                value.MediaType.Equals("image/*", StringComparison.OrdinalIgnoreCase))
                return "image/jpeg";
            if (value.MatchesAllTypes || value.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                return null;
        }
        return null;
    }

    internal static bool IsMultipart(MediaTypeHeaderValue? type) =>
        type is not null && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
}
