using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using Xunit.Abstractions;

namespace MogFace.Registry.Tests.Serving;

/// <summary>
/// Issue 12, case 14: a load failure no retry can fix — a registered version whose stored bytes do not hash to
/// its sha256, even downloaded a second time — is not retried forever (re-downloading up to 1 GiB on every
/// instance every ≤ 2 min): the instance stops, keeps serving what it has, says so in its heartbeat, and counts it
/// in mogface.model.swap_failures (what the swap-or-ingestion alert reads) tagged permanent.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PermanentLoadFailureTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _suffix = AzuriteFixture.NewContainerSuffix();
    private LifecycleInstance? _uploader, _instance;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_instance is not null)
            await _instance.DisposeAsync();
        if (_uploader is not null)
            await _uploader.DisposeAsync();
    }

    [Fact]
    public async Task Stored_bytes_that_never_hash_right_are_a_permanent_failure_in_the_heartbeat_and_the_metric()
    {
        // v2 registered first, v1 last (active); v2's stored bytes rot before any instance downloads them.
        _uploader = LifecycleInstance.Create(azurite, _suffix, "uploader", output: output);
        var v2 = await _uploader.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        var v1 = await _uploader.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        var corrupt = (byte[])TestWeights.Back.Clone();
        corrupt[corrupt.Length / 2] ^= 0xFF;
        await _uploader.Registry.Models.GetBlobClient(ModelRegistry.VersionBlob(v2, ModelRegistry.ModelFile))
            .UploadAsync(BinaryData.FromBytes(corrupt), overwrite: true);
        _instance = LifecycleInstance.Create(azurite, _suffix, "instance-a", output: output);
        await _instance.StartAsync();
        await _instance.Host.ServesAsync(v1);
        var permanentFailure = _instance.Meter.NextAsync("mogface.model.swap_failures", tags => tags["permanent"] is true);
        var failed = _instance.HeartbeatAsync(h => h.PermanentFailure is not null);

        await _uploader.Admin.ActivateAsync(v2, "test: activate the rotten version", CancellationToken.None);

        var heartbeat = await failed;
        Assert.Contains(v2, heartbeat.PermanentFailure);
        var downloads = _instance.Cache.Downloads;
        Assert.Equal(3, downloads); // v1, then v2 twice: a corrupt download is fetched once more before it counts as permanent
        // Polls go on (every 250 ms); a retry would come after 0.1, 0.2, 0.4… s. Five polls later nothing was retried.
        for (var i = 0; i < 5; i++)
            await _instance.NextPollAsync();
        Assert.Equal(downloads, _instance.Cache.Downloads);
        using (var lease = _instance.Provider.TryAcquire(null))
            Assert.Equal(v1, lease!.Model.Version); // still serving the last good version
        Assert.Equal(nameof(ModelIntegrityException), (await permanentFailure)["reason"]); // what the alert rule counts
    }
}
