using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace MogFace.Http;

/// <summary>
/// A request body (or one multipart section) read into a growing array, never more than a hard cap: the read
/// stops with 413 as soon as one byte past the cap arrives (<see cref="CappedStream"/>). Memory follows the bytes that arrived, not the bytes announced: the first buffer is small
/// whatever Content-Length says, and doubles as data comes. Buffers up to <see cref="PooledUpTo"/> are rented
/// from the shared pool; larger ones are plain arrays the GC takes back, because the shared pool keeps what
/// it is given (issue 12: rented 32 MB buffers kept the process at 3 GB after a burst). Dispose gives it back.
/// </summary>
public sealed class PooledBody : IDisposable
{
    private const int InitialSize = 64 * 1024;

    /// <summary>Largest buffer taken from (and returned to) <see cref="ArrayPool{T}.Shared"/>.</summary>
    public const int PooledUpTo = 1024 * 1024;
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
    /// <param name="declaredLength">Content-Length when known: refuses early when over the cap, and sizes the first buffer up to <see cref="InitialSize"/> at most.</param>
    /// <exception cref="HttpProblemException">413 when the body passes the cap.</exception>
    public static async Task<PooledBody> ReadAsync(Stream body, long? declaredLength, long cap, string what, CancellationToken cancellationToken)
    {
        cap = Math.Min(cap, Array.MaxLength - 1);
        if (declaredLength > cap)
            throw HttpProblemException.TooLarge(cap, what);
        // One byte of room past the cap is how a body that passes it is noticed (CappedStream refuses that read).
        var limit = (int)cap + 1;
        var capped = new CappedStream(body, cap, what);
        var size = (int)Math.Min(declaredLength is > 0 ? Math.Min(declaredLength.Value + 1, InitialSize) : InitialSize, limit);
        var buffer = Take(size);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = Take((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    Give(buffer);
                    buffer = bigger;
                }
                var read = await capped.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken);
                if (read == 0)
                    break;
                length += read;
            }
            var result = new PooledBody(buffer, length);
            buffer = null;
            return result;
        }
        finally
        {
            if (buffer is not null)
                Give(buffer);
        }
    }

    private static byte[] Take(int size) =>
        size <= PooledUpTo ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Give(byte[] buffer)
    {
        if (buffer.Length <= PooledUpTo)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            Give(buffer);
    }
}
