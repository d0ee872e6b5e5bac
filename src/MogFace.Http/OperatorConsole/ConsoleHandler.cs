using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace MogFace.Http.OperatorConsole;

// Namespace note: "OperatorConsole", not "Console", so code under MogFace.Http keeps System.Console.

/// <summary>
/// Serves the operator console (anonymous GET): <c>/console/</c> is the page, <c>/console/{file}</c> its
/// assets. The page uses relative asset URLs and derives the API base from its own location, so the same
/// bytes work at <c>/console/</c> on the server and <c>/api/console/</c> in the Functions app.
/// </summary>
public static class ConsoleHandler
{
    /// <summary>
    /// Allows only this origin's scripts, styles and API calls; images from the picked file (blob:).
    /// Inline script and style attributes are refused (the page sets styles through the CSSOM only).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <param name="path">The part after the console root ("" for the root itself).</param>
    public static IResult Handle(HttpContext context, string? path)
    {
        var request = context.Request;
        path ??= "";
        // /console → /console/ so that the page's relative asset URLs resolve under the console root.
        if (path.Length == 0 && !request.Path.Value!.EndsWith('/'))
            return Results.Redirect(request.PathBase + request.Path + "/" + request.QueryString, permanent: false);

        var asset = ConsoleAssets.Find(path);
        if (asset is null)
            return Results.NotFound();

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        // Revalidate every time: a deploy changes the bytes, and the 304 costs one small round trip.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }
        if (NotModified(request, asset.ETag))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static bool NotModified(HttpRequest request, string etag)
    {
        var ifNoneMatch = request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch is not { Count: > 0 })
            return false;
        var current = new EntityTagHeaderValue(etag);
        return ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
    }
}
