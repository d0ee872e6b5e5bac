using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace MogFace.Http;

/// <summary>
/// A request body (or one multipart section) read into a rented array, never more than a hard cap: the read
/// stops with 413 as soon as one byte past the cap arrives, whatever Content-Length said (chunked bodies
/// have none). Dispose returns the array to the pool.
/// </summary>
public sealed class PooledBody : IDisposable
{
    private const int InitialSize = 64 * 1024;
    private byte[]? _buffer;

    private PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory =>
        _buffer is { } buffer ? buffer.AsMemory(0, Length) : throw new ObjectDisposedException(nameof(PooledBody));

    /// <summary>Reads <paramref name="body"/> to its end, at most <paramref name="cap"/> bytes.</summary>
    /// <param name="declaredLength">Content-Length when known: sizes the first buffer, and refuses early when over the cap.</param>
    /// <exception cref="HttpProblemException">413 when the body passes the cap.</exception>
    public static async Task<PooledBody> ReadAsync(Stream body, long? declaredLength, long cap, string what, CancellationToken cancellationToken)
    {
        cap = Math.Min(cap, Array.MaxLength - 1);
        if (declaredLength > cap)
            throw HttpProblemException.TooLarge(cap, what);
        // One byte of room past the cap is how a body that passes it is noticed without reading further.
        var limit = (int)cap + 1;
        var size = (int)Math.Min(declaredLength is > 0 ? declaredLength.Value + 1 : InitialSize, limit);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= limit)
                        throw HttpProblemException.TooLarge(cap, what);
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var room = Math.Min(buffer.Length, limit) - length;
                if (room <= 0)
                    throw HttpProblemException.TooLarge(cap, what);
                var read = await body.ReadAsync(buffer.AsMemory(length, room), cancellationToken);
                if (read == 0)
                    break;
                length += read;
                if (length > cap)
                    throw HttpProblemException.TooLarge(cap, what);
            }
            var result = new PooledBody(buffer, length);
            buffer = null;
            return result;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw HttpProblemException.TooLarge(cap, what);
        }
        finally
        {
            if (buffer is not null)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
