using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>
/// Which requests the canary answers. A client id always lands in the same bucket on every instance and
/// every restart (SHA-256 of its UTF-8 bytes, not <see cref="string.GetHashCode()"/>, which is randomised
/// per process); requests without one are split at random.
/// </summary>
internal static class CanaryRouter
{
    public static bool RoutesToCanary(string? clientId, int percent)
    {
        if (percent <= 0)
            return false;
        if (percent >= 100)
            return true;
        var bucket = clientId is null ? Random.Shared.Next(100) : Bucket(clientId);
        return bucket < percent;
    }

    /// <summary>0..99, stable for a given id.</summary>
    public static int Bucket(string clientId)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(clientId.Length);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (maxBytes <= 512)
        {
            Span<byte> utf8 = stackalloc byte[maxBytes];
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(clientId, utf8)], hash);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(clientId), hash);
        }
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % 100);
    }
}
