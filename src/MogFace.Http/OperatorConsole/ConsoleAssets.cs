using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace MogFace.Http.OperatorConsole;

/// <summary>One static file of the operator console, as served.</summary>
/// <param name="ETag">A strong entity tag (quoted) derived from the bytes.</param>
public sealed record ConsoleAsset(string Path, ReadOnlyMemory<byte> Content, string ContentType, string ETag);

/// <summary>
/// The operator console's static files (OperatorConsole/wwwroot), embedded in MogFace.Http so the standalone server and
/// the Functions app serve the same bytes with no file-system layout to get right. Only the embedded names
/// resolve: a request path is a dictionary key, never a file path.
/// </summary>
public static class ConsoleAssets
{
    public const string IndexPath = "index.html";
    private const string ResourcePrefix = "MogFace.Console/";

    private static readonly FrozenDictionary<string, ConsoleAsset> Assets = Load();

    /// <summary>Every served path (relative to the console root).</summary>
    public static IReadOnlyCollection<string> Paths => Assets.Keys;

    /// <summary>The asset for a path under the console root (empty or "/" means index.html), or null.</summary>
    public static ConsoleAsset? Find(string? path)
    {
        var key = (path ?? "").Trim('/');
        if (key.Length == 0)
            key = IndexPath;
        return Assets.GetValueOrDefault(key);
    }

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            var path = resource[ResourcePrefix.Length..];
            var content = Read(assembly, resource);
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"";
            assets[path] = new ConsoleAsset(path, content, ContentTypeOf(path), etag);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentTypeOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
