using Azure.Storage.Blobs.Models;
using MogFace.Registry.Administration;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Administration;

/// <summary>
/// DELETE of a version on the real registry (Azurite): what is deleted, what is refused, and the two orders in
/// which a deletion and an activation of the same version can meet, played deterministically by holding one's
/// pointer write until the other finished.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class VersionDeletionTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BeforeRequestPolicy _hook = new();
    private LifecycleInstance _instance = null!;
    private string _old = null!, _front = null!, _back = null!;

    private IModelAdmin Admin => _instance.Admin;

    public async Task InitializeAsync()
    {
        // The quality gate is not what these tests are about; each ingestion then costs a load and a smoke test.
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix(), policy: _hook,
            settings: new Dictionary<string, string?> { ["MogFace:QualityGate"] = "false" });
        // Ingested in this order: active back, previous [front, old]: old is in the history but not the rollback target.
        _old = await _instance.IngestAcceptedAsync("blazeface-old.onnx", TestWeights.BackVariant("old"));
        _front = await _instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        _back = await _instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    [Fact]
    public async Task A_version_nothing_needs_is_deleted_whole_and_leaves_the_history_and_a_second_delete_is_404()
    {
        Assert.NotEmpty(await BlobsOfAsync(_old));

        await Admin.DeleteAsync(_old, CancellationToken.None);

        Assert.Empty(await BlobsOfAsync(_old));
        var view = await Admin.ListAsync(CancellationToken.None);
        Assert.DoesNotContain(_old, view.Versions.Select(v => v.Version));
        Assert.Equal([_front], view.Pointer!.Previous);
        Assert.Equal(_back, view.Pointer.Active);
        Assert.Equal($"delete {_old}", view.Pointer.Reason);
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.DeleteAsync(_old, CancellationToken.None));
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.ActivateAsync(_old, "bring it back", CancellationToken.None));
    }

    [Fact]
    public async Task Active_rollback_target_and_canary_are_refused_with_their_code_and_keep_every_blob()
    {
        await Admin.SetCanaryAsync(_old, 5, CancellationToken.None);
        var before = await AllVersionBlobsAsync();

        Assert.Equal(VersionInUseException.Active, (await Assert.ThrowsAsync<VersionInUseException>(() => Admin.DeleteAsync(_back, CancellationToken.None))).Code);
        Assert.Equal(VersionInUseException.RollbackTarget, (await Assert.ThrowsAsync<VersionInUseException>(() => Admin.DeleteAsync(_front, CancellationToken.None))).Code);
        Assert.Equal(VersionInUseException.Canary, (await Assert.ThrowsAsync<VersionInUseException>(() => Admin.DeleteAsync(_old, CancellationToken.None))).Code);
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.DeleteAsync("nope-000000000000", CancellationToken.None));
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.DeleteAsync($"{_old}/model.onnx", CancellationToken.None));

        Assert.Equal(before, await AllVersionBlobsAsync());
    }

    [Fact]
    public async Task A_running_plan_keeps_its_version_even_without_a_canary_split()
    {
        var plan = new CanaryPlan { Version = _old, Steps = [5, 100], Dwell = TimeSpan.FromMinutes(1) };
        var pointer = new PointerDocument { Active = _back, Previous = [_front, _old], Plan = plan };
        Assert.Equal(VersionInUseException.InPlan, Assert.Throws<VersionInUseException>(() => PointerHistory.RequireUnused(pointer, _old)).Code);
        PointerHistory.RequireUnused(pointer with { Plan = plan with { State = CanaryPlan.RolledBack } }, _old); // a finished plan is history only
    }

    [Theory]
    [InlineData("activate")]
    [InlineData("canary")]
    public async Task A_pointer_change_that_checked_the_version_before_it_was_deleted_fails_at_its_write_and_never_names_it(string change)
    {
        // The pointer change has read the pointer and found the version whole; its write is held until the deletion finished.
        _hook.Once(BeforeRequestPolicy.PutOf(ModelRegistry.PointerBlob), () => Admin.DeleteAsync(_old, CancellationToken.None));

        var refused = await Assert.ThrowsAsync<VersionNotFoundException>(() => change == "activate"
            ? Admin.ActivateAsync(_old, "race", CancellationToken.None)
            : Admin.SetCanaryAsync(_old, 5, CancellationToken.None));

        Assert.True(_hook.Fired);
        Assert.Equal(_old, refused.Version);
        Assert.Empty(await BlobsOfAsync(_old));
        var pointer = (await _instance.Registry.GetPointerAsync(CancellationToken.None))!;
        Assert.Equal(_back, pointer.Active);
        Assert.Null(pointer.Canary);
        Assert.DoesNotContain(_old, pointer.Previous);
    }

    [Fact]
    public async Task An_activation_that_lands_after_the_deletion_checked_the_pointer_makes_the_deletion_refuse_and_keep_everything()
    {
        // The deletion found the version unused; before it marks the version, an activation of it completes.
        _hook.Once(BeforeRequestPolicy.PutOf(ModelRegistry.DeletingFile), () => Admin.ActivateAsync(_old, "race", CancellationToken.None));
        var before = await BlobsOfAsync(_old);

        var refused = await Assert.ThrowsAsync<VersionInUseException>(() => Admin.DeleteAsync(_old, CancellationToken.None));

        Assert.True(_hook.Fired);
        Assert.Equal(VersionInUseException.Active, refused.Code);
        Assert.Equal(before, await BlobsOfAsync(_old)); // the marker was taken away again
        Assert.Equal(_old, (await _instance.Registry.GetPointerAsync(CancellationToken.None))!.Active);
        await Admin.ActivateAsync(_back, "back", CancellationToken.None); // and it stays activatable
    }

    [Fact]
    public async Task A_deletion_interrupted_after_its_manifest_went_is_finished_by_deleting_again()
    {
        await _instance.Registry.MarkDeletingAsync(_old, CancellationToken.None);
        await _instance.Registry.Models.DeleteBlobAsync(ModelRegistry.VersionBlob(_old, ModelRegistry.ManifestFile));
        Assert.NotEmpty(await BlobsOfAsync(_old));
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.ActivateAsync(_old, "half gone", CancellationToken.None));

        await Admin.DeleteAsync(_old, CancellationToken.None);

        Assert.Empty(await BlobsOfAsync(_old));
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.DeleteAsync(_old, CancellationToken.None));
    }

    private Task<List<string>> BlobsOfAsync(string version) => BlobsUnderAsync($"versions/{version}/");

    private Task<List<string>> AllVersionBlobsAsync() => BlobsUnderAsync("versions/");

    private async Task<List<string>> BlobsUnderAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in _instance.Registry.Models.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
            names.Add(blob.Name);
        return names;
    }
}
