using System.Buffers;

namespace MogFace.Http;

/// <summary>
/// A request body (or one multipart section) read into a growing buffer, never more than a hard cap: the read
/// stops with 413 as soon as one byte past the cap arrives (<see cref="CappedStream"/>). Memory follows the bytes
/// that arrived, not the bytes announced: the first buffer is small whatever Content-Length says, and doubles as data
/// comes. Buffers up to <see cref="PooledUpTo"/> are rented from the shared pool; larger ones are native memory
/// (<see cref="NativeBuffer"/>) freed when the body is disposed, because the shared pool keeps what it is given
/// (issue 12: rented 32 MB buffers kept the process at 3 GB after a burst) and large managed arrays stay resident
/// until a full collection (issue 12's soak: 1.5 GB of them). Dispose gives it back.
/// </summary>
public sealed class PooledBody : IDisposable
{
    private const int InitialSize = 64 * 1024;

    /// <summary>Largest buffer taken from (and returned to) <see cref="ArrayPool{T}.Shared"/>.</summary>
    public const int PooledUpTo = 1024 * 1024;

    private byte[]? _pooled;
    private NativeBuffer? _native;

    private PooledBody(int capacity)
    {
        if (capacity <= PooledUpTo)
            _pooled = ArrayPool<byte>.Shared.Rent(capacity);
        else
            _native = new NativeBuffer(capacity);
    }

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Memory => Whole[..Length];

    private int Capacity => _pooled?.Length ?? _native?.Length ?? 0;

    private Memory<byte> Whole =>
        _pooled?.AsMemory() ?? _native?.Memory ?? throw new ObjectDisposedException(nameof(PooledBody));

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
        var result = new PooledBody((int)Math.Min(declaredLength is > 0 ? Math.Min(declaredLength.Value + 1, InitialSize) : InitialSize, limit));
        try
        {
            while (true)
            {
                if (result.Length == result.Capacity)
                {
                    // Full: one byte ahead says whether the body goes on, so a body that fills its buffer exactly
                    // (a 4 MiB file) does not double it for nothing.
                    var next = new byte[1];
                    if (await capped.ReadAsync(next, cancellationToken) == 0)
                        break;
                    result.Grow((int)Math.Min((long)result.Capacity * 2, limit));
                    result.Whole.Span[result.Length++] = next[0];
                }
                var read = await capped.ReadAsync(result.Whole[result.Length..], cancellationToken);
                if (read == 0)
                    break;
                result.Length += read;
            }
            var complete = result;
            result = null;
            return complete;
        }
        finally
        {
            result?.Dispose();
        }
    }

    private void Grow(int capacity)
    {
        if (_native is not null)
        {
            _native.Resize(capacity);
            return;
        }
        var pooled = _pooled!;
        if (capacity <= PooledUpTo)
        {
            _pooled = ArrayPool<byte>.Shared.Rent(capacity);
            pooled.AsSpan(0, Length).CopyTo(_pooled);
        }
        else
        {
            _native = new NativeBuffer(capacity);
            pooled.AsSpan(0, Length).CopyTo(_native.GetSpan());
            _pooled = null;
        }
        ArrayPool<byte>.Shared.Return(pooled);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _pooled, null) is { } pooled)
            ArrayPool<byte>.Shared.Return(pooled);
        if (Interlocked.Exchange(ref _native, null) is { } native)
            ((IDisposable)native).Dispose();
    }
}
