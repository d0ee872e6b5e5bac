using Microsoft.AspNetCore.Http;
using MogFace.Engine.Imaging;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Http;

/// <summary>
/// RFC 9457 problem+json answers with the statuses of system.md. Every problem carries a stable
/// machine-readable <c>code</c> extension next to the human-readable <c>detail</c>.
/// </summary>
public static class Problems
{
    public const string EmptyBody = "empty-body";
    public const string Undecodable = "undecodable-image";
    public const string MalformedRequest = "malformed-request";
    public const string TooLarge = "too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string InvalidParameter = "invalid-parameter";
    public const string TooManyPixels = "too-many-pixels";
    public const string ModelNotReady = "model-not-ready";
    public const string Unauthorized = "unauthorized";
    public const string VersionNotFound = "version-not-found";
    public const string NoPreviousVersion = "no-previous-version";
    public const string NoActiveVersion = "no-active-version";

    /// <summary>A failure on the server (500): logged and counted; the body says no more than the exception type.</summary>
    public const string InternalError = "internal-error";

    /// <summary>models/pointer.json does not parse: activate a version to replace it.</summary>
    public const string PointerUnreadable = "pointer-unreadable";
    public const string VersionNotLoaded = "version-not-loaded";
    public const string CanaryIsActive = "canary-is-active";
    public const string NoCanary = "no-canary";
    public const string UploadNotFound = "upload-not-found";

    /// <summary>404 from the framework: no route has this path.</summary>
    public const string NotFound = "not-found";

    /// <summary>405 from the framework: the route exists, not with this method (the Allow header lists them).</summary>
    public const string MethodNotAllowed = "method-not-allowed";

    /// <summary>The code of a problem the framework wrote without one, by its status.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => MalformedRequest,
        401 => Unauthorized,
        404 => NotFound,
        405 => MethodNotAllowed,
        413 => TooLarge,
        415 => UnsupportedMediaType,
        >= 500 => InternalError,
        _ => $"http-{status}",
    };

    /// <summary>A detail for a problem the framework wrote without one.</summary>
    public static string DetailForStatus(int status, HttpContext context)
    {
        var request = $"{context.Request.Method} {context.Request.Path}";
        return status switch
        {
            404 => $"No route answers {request}; the routes are listed in docs/http.md.",
            405 => $"{request}: this route does not take {context.Request.Method}; it takes {context.Response.Headers.Allow}.",
            _ => $"{request}: {ReasonPhrase(status)}.",
        };
    }

    /// <summary>503: the instance admits no more detect requests now (DetectAdmission); retry after Retry-After.</summary>
    public const string Overloaded = "overloaded";

    public static IResult Create(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?> { ["code"] = code };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
                all[key] = value;
        }
        return Results.Problem(
            type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}",
            title: Title(status),
            statusCode: status,
            detail: detail,
            extensions: all);
    }

    /// <summary>503 before the first model is loaded, with <c>Retry-After</c>.</summary>
    public static IResult NotReady(HttpContext context, TimeSpan retryAfter, string? instance)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Create(StatusCodes.Status503ServiceUnavailable, ModelNotReady,
            "No model is loaded yet on this instance; retry shortly.",
            new Dictionary<string, object?> { ["instance"] = instance });
    }

    /// <summary>503 <c>overloaded</c> with <c>Retry-After</c>: detect admission or the decode budget is spent (detail says which).</summary>
    public static IResult Busy(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Create(StatusCodes.Status503ServiceUnavailable, Overloaded, detail);
    }

    /// <summary>503 <c>storage-unavailable</c> with <c>Retry-After</c>: the registry could not be reached; nothing was decided.</summary>
    public static IResult StorageUnavailable(string detail) =>
        new WithRetryAfter(Create(StatusCodes.Status503ServiceUnavailable, RejectionCodes.StorageUnavailable, detail), StorageRetryAfterSeconds);

    /// <summary>What <see cref="StorageUnavailable"/> asks clients to wait.</summary>
    public const int StorageRetryAfterSeconds = 5;

    /// <summary>A result that sets Retry-After when it runs (handlers that have no HttpContext at hand).</summary>
    private sealed class WithRetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>409 for a request pinned to a version this instance does not serve; names what it does serve.</summary>
    public static IResult NotLoaded(string version, IModelProvider models)
    {
        var loaded = models.LoadedVersions;
        return Create(StatusCodes.Status409Conflict, VersionNotLoaded,
            $"Version '{version}' is not loaded on this instance; it serves {string.Join(", ", loaded)}. Pin to one of those, make it the active or canary version, or send the request unpinned.",
            new Dictionary<string, object?> { ["loaded"] = loaded, ["canary"] = models.Canary?.Version, ["instance"] = models.InstanceId });
    }

    /// <summary>A <c>Retry-After</c> value in whole seconds, at least 1.</summary>
    public static string RetryAfterSeconds(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static IResult From(HttpProblemException ex) => Create(ex.Status, ex.Code, ex.Message);

    public static IResult From(ImageInputException ex, string? part = null)
    {
        var (code, status) = ex.Error switch
        {
            ImageInputError.Empty => (EmptyBody, 400),
            ImageInputError.TooLarge => (TooLarge, 413),
            ImageInputError.UnsupportedFormat => (UnsupportedMediaType, 415),
            ImageInputError.TooManyPixels => (TooManyPixels, 422),
            _ => (Undecodable, ex.Error.ToHttpStatus()),
        };
        return Create(status, code, part is null ? ex.Message : $"{part}: {ex.Message}");
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        503 => "Service Unavailable",
        _ => ReasonPhrase(status),
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}

/// <summary>A request problem found while parsing; turned into problem+json by the handler that catches it.</summary>
public sealed class HttpProblemException(int status, string code, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;

    public static HttpProblemException TooLarge(long limit, string what = "The request body") =>
        new(StatusCodes.Status413PayloadTooLarge, Problems.TooLarge, $"{what} is larger than the limit of {limit} bytes.");

    public static HttpProblemException Invalid(string detail) =>
        new(StatusCodes.Status422UnprocessableEntity, Problems.InvalidParameter, detail);
}
