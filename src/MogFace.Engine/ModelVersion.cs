using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace MogFace.Engine;

/// <summary>Version ids are content-addressed: the same bytes always give the same id.</summary>
public static partial class ModelVersion
{
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<string> Sha256HexAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));

    /// <summary><c>&lt;name&gt;-&lt;first 12 hex of sha256&gt;</c>, the name reduced to [a-z0-9-].</summary>
    public static string Id(string name, string sha256Hex) => $"{SafeName(name)}-{sha256Hex[..12]}";

    /// <summary>A blob or file name without folders and extension, lower-case, unsafe characters as '-'.</summary>
    public static string SafeName(string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name.Replace('\\', '/').Split('/')[^1]).ToLowerInvariant();
        stem = Unsafe().Replace(stem, "-").Trim('-');
        return stem.Length == 0 ? "model" : stem.Length > 64 ? stem[..64] : stem;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex Unsafe();
}
