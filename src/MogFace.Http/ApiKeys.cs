using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MogFace.Registry.Telemetry;

namespace MogFace.Http;

/// <summary>
/// The product's two keys (<c>MogFace:FunctionKey</c>, <c>MogFace:AdminKey</c>), one contract under both hosts:
/// detect takes the function key or the admin key, every <c>/api/models…</c> route takes the admin key only,
/// health and the console are anonymous. Keys arrive the Functions way: an <c>x-functions-key</c> header or a
/// <c>code</c> query parameter. Fail closed: a level opens only when no key at all is configured (local runs,
/// with a warning at startup); configuring just the function key closes the admin routes to everyone.
/// </summary>
public sealed class ApiKeyOptions
{
    public string? FunctionKey { get; set; }
    public string? AdminKey { get; set; }

    /// <summary>No key of either kind: the open local mode (a host may still refuse to run open).</summary>
    public bool NoKeysConfigured => string.IsNullOrEmpty(FunctionKey) && string.IsNullOrEmpty(AdminKey);
}

public enum KeyLevel
{
    /// <summary>No key (health, console).</summary>
    Anonymous,

    /// <summary>Function key or admin key.</summary>
    Function,

    /// <summary>Admin key only.</summary>
    Admin,
}

/// <summary>The one key decision, used by the server's endpoint filter and the Functions worker middleware.</summary>
public static class ApiKeyCheck
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    /// <summary>
    /// Null when <paramref name="request"/> may pass, else the 401 problem to answer with.
    /// <paramref name="allowOpen"/>: whether this host serves without keys when none are configured.
    /// </summary>
    public static IResult? Refusal(HttpRequest request, KeyLevel level, ApiKeyOptions keys, bool allowOpen)
    {
        if (level == KeyLevel.Anonymous)
            return null;
        if (keys.NoKeysConfigured)
            return allowOpen ? null : Problems.Create(401, Problems.Unauthorized,
                "No keys are configured on this deployment (MogFace__FunctionKey, MogFace__AdminKey): every keyed route is closed.");
        if (level == KeyLevel.Admin && string.IsNullOrEmpty(keys.AdminKey))
            return Problems.Create(401, Problems.Unauthorized,
                "No admin key is configured (MogFace__AdminKey): the admin routes are closed to every key.");
        var presented = Presented(request);
        if (presented is null)
            return Problems.Create(401, Problems.Unauthorized,
                $"This route needs {(level == KeyLevel.Admin ? "the admin key" : "a function key")}: send it as the {HeaderName} header or the {QueryName} query parameter.");
        var accepted = Matches(presented, keys.AdminKey) || (level == KeyLevel.Function && Matches(presented, keys.FunctionKey));
        return accepted ? null : Problems.Create(401, Problems.Unauthorized,
            $"The key is not valid for this route{(level == KeyLevel.Admin ? " (admin routes need the admin key)" : "")}.");
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrEmpty(header))
            return header.ToString();
        if (request.Query.TryGetValue(QueryName, out var code) && !string.IsNullOrEmpty(code))
            return code.ToString();
        return null;
    }

    // Hashing first makes the comparison constant-time whatever the lengths.
    private static bool Matches(string presented, string? expected) =>
        !string.IsNullOrEmpty(expected) &&
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
