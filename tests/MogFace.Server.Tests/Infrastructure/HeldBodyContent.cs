using System.Net;
using System.Net.Http.Headers;

namespace MogFace.Server.Tests.Infrastructure;

/// <summary>A request body sent in two halves: the second only once the test releases it.</summary>
internal sealed class HeldBodyContent : HttpContent
{
    private readonly byte[] _bytes;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HeldBodyContent(byte[] bytes, string mediaType)
    {
        _bytes = bytes;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_bytes.AsMemory(0, _bytes.Length / 2));
        await stream.FlushAsync();
        await _release.Task;
        await stream.WriteAsync(_bytes.AsMemory(_bytes.Length / 2));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes.Length;
        return true;
    }
}
