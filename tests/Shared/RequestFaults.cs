using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MogFace.Tests.Shared;

/// <summary>
/// A Blob client pipeline policy that fails the requests <c>fault</c> picks (returning the error storage would
/// answer) before they are sent, while <see cref="Enabled"/> is set.
/// </summary>
public sealed class RequestFaults(Func<HttpMessage, RequestFailedException?> fault) : HttpPipelinePolicy
{
    private int _enabled = 1;

    public bool Enabled
    {
        get => Volatile.Read(ref _enabled) != 0;
        set => Volatile.Write(ref _enabled, value ? 1 : 0);
    }

    /// <summary>
    /// Every write of <c>pointer.json</c> fails with 503, as a storage blip between registering a version and
    /// moving the pointer would: the version exists, the pointer does not know it. Starts disabled.
    /// </summary>
    public static RequestFaults PointerWrites() => new(message =>
        message.Request.Method == RequestMethod.Put && message.Request.Uri.Path.EndsWith("/pointer.json", StringComparison.Ordinal)
            ? new RequestFailedException(503, "Injected fault: the pointer write failed.")
            : null) { Enabled = false };

    /// <summary>
    /// Every request for blob <paramref name="name"/> is answered as storage answers a name like <c>../escape.onnx</c>
    /// (whose dot segments the client collapses before sending): 400 InvalidResourceName. Azurite will not store
    /// such a name for a test, so the blob is stored under <paramref name="name"/> and this makes the client see
    /// what it would.
    /// </summary>
    public static RequestFaults RefusedName(string name) => new(message =>
        message.Request.Uri.Path.EndsWith("/" + name, StringComparison.Ordinal)
            ? new RequestFailedException(400, "The specified resource name contains invalid characters.", "InvalidResourceName", null)
            : null);

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
        if (Enabled && fault(message) is { } error)
            throw error;
    }
}
