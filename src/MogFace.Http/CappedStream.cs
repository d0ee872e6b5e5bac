using Microsoft.AspNetCore.Http;

namespace MogFace.Http;

/// <summary>
/// A request body read through a hard cap: the read that brings more than <c>cap</c> bytes fails with 413
/// (<see cref="HttpProblemException.TooLarge"/>), whatever Content-Length said (chunked bodies have none), and so
/// does Kestrel's own body limit. The one place a body's size is enforced while reading: images and JSON
/// (<see cref="PooledBody"/>) and model uploads (copied to a file) go through it.
/// </summary>
internal sealed class CappedStream(Stream body, long cap, string what) : Stream
{
    /// <summary>Bytes read so far (past the cap by at most one read when it failed).</summary>
    public long BytesRead { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await body.ReadAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw HttpProblemException.TooLarge(cap, what);
        }
        BytesRead += read;
        if (BytesRead > cap)
            throw HttpProblemException.TooLarge(cap, what);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Request bodies are read asynchronously only (Kestrel refuses synchronous reads by default).
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the body asynchronously.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
