using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MogFace.Http;

/// <summary>
/// Handlers that take large bodies (detect batches, model uploads) enforce their own caps while reading, with
/// their own problem codes; Kestrel's default limit (30 MB) would refuse first, so it is moved to just past the
/// handler's cap. Hosts without the feature (the Functions host) have their own limits.
/// </summary>
internal static class RequestBodyLimit
{
    public static void Lift(HttpContext context, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
    }
}
