using Azure.Core;
using Azure.Core.Pipeline;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// Cuts model downloads mid-body while <see cref="BreakModelDownloads"/> is set: the response stream yields
/// half of the bytes, then fails as a dropped connection would (for the SDK's own retries as well).
/// </summary>
internal sealed class FaultInjectionPolicy : HttpPipelinePolicy
{
    private int _broken;
    private int _cut;

    public bool BreakModelDownloads
    {
        get => Volatile.Read(ref _broken) != 0;
        set => Volatile.Write(ref _broken, value ? 1 : 0);
    }

    /// <summary>How many responses were cut.</summary>
    public int Cut => Volatile.Read(ref _cut);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        Break(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        Break(message);
    }

    private void Break(HttpMessage message)
    {
        if (!BreakModelDownloads || message.Request.Method != RequestMethod.Get
            || !message.Request.Uri.Path.EndsWith("/model.onnx", StringComparison.Ordinal)
            || message.Response.ContentStream is not { } body)
            return;
        Interlocked.Increment(ref _cut);
        message.Response.ContentStream = new CutStream(body, message.Response.Headers.ContentLength / 2 ?? 1024);
    }

    private sealed class CutStream(Stream inner, long allowed) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_read >= allowed)
                throw new IOException("Injected fault: connection reset mid-download.");
            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, allowed - _read)]);
            _read += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= allowed)
                throw new IOException("Injected fault: connection reset mid-download.");
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, allowed - _read)], cancellationToken);
            _read += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
