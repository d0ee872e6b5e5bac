using Microsoft.Extensions.DependencyInjection;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Ingestion;

/// <summary>
/// The asynchronous upload queue is bounded: an instance holds at most <see cref="AsyncUploads.MaxPending"/> uploads
/// (each a temporary file of up to MaxModelBytes) and refuses the next until one has finished.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AsyncUploadQueueTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LifecycleInstance _instance = null!;

    public Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    [Fact]
    public async Task Past_MaxPending_uploads_the_next_is_refused_until_the_queue_drains()
    {
        // Not started yet: nothing drains the queue, so it fills deterministically.
        var uploads = _instance.Services.GetRequiredService<AsyncUploads>();
        var started = new List<UploadStatus>();
        for (var i = 0; i < AsyncUploads.MaxPending; i++)
            started.Add(await uploads.StartAsync($"junk-{i}.onnx", new MemoryStream([1, 2, 3]), CancellationToken.None));

        var refused = await Assert.ThrowsAsync<UploadQueueFullException>(() => uploads.StartAsync("one-more.onnx", new MemoryStream([1, 2, 3]), CancellationToken.None));
        Assert.Contains($"{AsyncUploads.MaxPending}", refused.Message);
        Assert.Equal(AsyncUploads.MaxPending, uploads.Pending);

        await _instance.StartAsync();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (uploads.Pending > 0 && DateTimeOffset.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(0, uploads.Pending);
        foreach (var status in started)
            Assert.Equal(UploadStatus.Rejected, (await uploads.GetAsync(status.Id, CancellationToken.None))!.State);
        await uploads.StartAsync("after.onnx", new MemoryStream([1, 2, 3]), CancellationToken.None);
    }
}
