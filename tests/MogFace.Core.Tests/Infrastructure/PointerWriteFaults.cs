using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MogFace.Core.Tests.Infrastructure;

/// <summary>
/// Fails every write of <c>pointer.json</c> with a 503 while <see cref="Enabled"/> is set, as a storage blip between
/// registering a version and moving the pointer would: the version exists, the pointer does not know it.
/// </summary>
internal sealed class PointerWriteFaults : HttpPipelinePolicy
{
    private int _enabled;

    public bool Enabled
    {
        get => Volatile.Read(ref _enabled) != 0;
        set => Volatile.Write(ref _enabled, value ? 1 : 0);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Fail(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Fail(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Fail(HttpMessage message)
    {
        if (Enabled && message.Request.Method == RequestMethod.Put
            && message.Request.Uri.Path.EndsWith("/pointer.json", StringComparison.Ordinal))
            throw new RequestFailedException(503, "Injected fault: the pointer write failed.");
    }
}
