using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MogFace.Core.Http;

/// <summary>
/// The standalone server's keys (<c>MogFace:FunctionKey</c>, <c>MogFace:AdminKey</c>), checked the way the
/// Functions host checks its own: an <c>x-functions-key</c> header or a <c>code</c> query parameter.
/// A level without a key is open (the server logs a warning at startup).
/// </summary>
public sealed class ApiKeyOptions
{
    public string? FunctionKey { get; set; }
    public string? AdminKey { get; set; }

    public bool AdminOpen => string.IsNullOrEmpty(AdminKey);

    /// <summary>Function routes are open only when no key at all is configured (the admin key opens them too).</summary>
    public bool FunctionOpen => string.IsNullOrEmpty(FunctionKey) && string.IsNullOrEmpty(AdminKey);
}

public enum KeyLevel
{
    /// <summary>Function key or admin key.</summary>
    Function,

    /// <summary>Admin key only.</summary>
    Admin,
}

/// <summary>Endpoint filter: 401 problem+json for a missing or wrong key.</summary>
public sealed class ApiKeyFilter(KeyLevel level) : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var keys = context.HttpContext.RequestServices.GetService<IOptions<ApiKeyOptions>>()?.Value ?? new ApiKeyOptions();
        var open = level == KeyLevel.Admin ? keys.AdminOpen : keys.FunctionOpen;
        if (open)
            return next(context);
        var presented = Presented(context.HttpContext.Request);
        if (presented is null)
            return ValueTask.FromResult<object?>(Problems.Create(401, Problems.Unauthorized,
                $"This route needs {(level == KeyLevel.Admin ? "the admin key" : "a function key")}: send it as the {HeaderName} header or the {QueryName} query parameter."));
        var accepted = Matches(presented, keys.AdminKey) || (level == KeyLevel.Function && Matches(presented, keys.FunctionKey));
        if (!accepted)
            return ValueTask.FromResult<object?>(Problems.Create(401, Problems.Unauthorized,
                $"The key is not valid for this route{(level == KeyLevel.Admin ? " (admin routes need the admin key)" : "")}."));
        return next(context);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrEmpty(header))
            return header.ToString();
        if (request.Query.TryGetValue(QueryName, out var code) && !string.IsNullOrEmpty(code))
            return code.ToString();
        return null;
    }

    private static bool Matches(string presented, string? expected) =>
        !string.IsNullOrEmpty(expected) &&
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
