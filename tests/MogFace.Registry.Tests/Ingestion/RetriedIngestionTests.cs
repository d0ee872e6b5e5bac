using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Ingestion;

/// <summary>
/// Issue 12, case 5: registration and activation are one idempotent operation. When the version was registered
/// but the pointer write failed, a retry of the same bytes (admin upload or blob trigger) completes the activation
/// instead of answering "already registered" with nothing done.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetriedIngestionTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly RequestFaults _faults = RequestFaults.PointerWrites();
    private LifecycleInstance _instance = null!;

    public Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix(), policy: _faults);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    private async Task<string> RegisteredButNotActiveAsync(Func<Task<IngestionOutcome>> ingest)
    {
        await _instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        _faults.Enabled = true;
        var failed = await ingest();
        _faults.Enabled = false;
        Assert.Equal(RejectionCodes.StorageUnavailable, failed.Code);
        var version = TestWeights.VersionOf("blazeface-back.onnx", TestWeights.Back);
        Assert.NotNull(await _instance.Registry.GetVersionAsync(version, CancellationToken.None)); // registered…
        Assert.NotEqual(version, (await _instance.Registry.GetPointerAsync(CancellationToken.None))!.Active); // …not active
        return version;
    }

    [Fact]
    public async Task A_retried_upload_activates_the_version_its_first_attempt_registered()
    {
        Task<IngestionOutcome> Upload() =>
            _instance.Ingestion.IngestAsync("blazeface-back.onnx", new MemoryStream(TestWeights.Back), null, CancellationToken.None);
        var version = await RegisteredButNotActiveAsync(Upload);

        var retry = await Upload();

        Assert.True(retry.Accepted, retry.Reason);
        Assert.Equal(version, retry.Version);
        Assert.Equal(version, (await _instance.Registry.GetPointerAsync(CancellationToken.None))!.Active);
    }

    [Fact]
    public async Task A_retried_blob_trigger_activates_the_version_its_first_attempt_registered()
    {
        var weights = _instance.Registry.Weights;
        await weights.CreateIfNotExistsAsync();
        await weights.GetBlobClient("blazeface-back.onnx").UploadAsync(BinaryData.FromBytes(TestWeights.Back));
        Task<IngestionOutcome> Trigger() => _instance.Ingestion.IngestBlobAsync("blazeface-back.onnx", CancellationToken.None);
        var version = await RegisteredButNotActiveAsync(Trigger);

        var retry = await Trigger();

        Assert.True(retry.Accepted, retry.Reason);
        Assert.Equal(version, (await _instance.Registry.GetPointerAsync(CancellationToken.None))!.Active);
    }

    [Fact]
    public async Task Re_uploading_a_version_the_operator_rolled_back_from_does_not_undo_the_rollback()
    {
        await _instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        var back = await _instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        var rolledBack = await _instance.Admin.RollbackAsync(CancellationToken.None);
        var activated = await _instance.Admin.ActivateAsync(back, "again", CancellationToken.None);
        await _instance.Admin.RollbackAsync(CancellationToken.None);

        // back is in the pointer's history: its activation was done once, a re-upload is not a new decision.
        var again = await _instance.Ingestion.IngestAsync("blazeface-back.onnx", new MemoryStream(TestWeights.Back), null, CancellationToken.None);

        Assert.True(again.AlreadyRegistered);
        Assert.Equal(rolledBack.Active, (await _instance.Registry.GetPointerAsync(CancellationToken.None))!.Active);
        Assert.Equal(back, activated.Active);
    }
}
