using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Registry.Storage;
using MogFace.Registry.Administration;

namespace MogFace.Registry.Tests.Administration;

/// <summary>Operator actions: list, activate, rollback, canary set/clear/promote.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AdminTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LifecycleInstance _instance = null!;
    private string _front = null!, _back = null!;

    private IModelAdmin Admin => _instance.Admin;

    public async Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix());
        _front = (await _instance.Ingestion.IngestAsync("blazeface-front.onnx", new MemoryStream(TestWeights.Front), null, CancellationToken.None)).Version!;
        _back = (await _instance.Ingestion.IngestAsync("blazeface-back.onnx", new MemoryStream(TestWeights.Back), null, CancellationToken.None)).Version!;
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    [Fact]
    public async Task List_shows_pointer_versions_rejections_and_instances()
    {
        await _instance.Ingestion.IngestAsync("junk.onnx", new MemoryStream([1, 2, 3]), null, CancellationToken.None);
        await _instance.StartAsync();
        await _instance.HeartbeatAsync(h => h.Active == _back);

        var view = await Admin.ListAsync(CancellationToken.None);

        Assert.Equal(_back, view.Pointer!.Active);
        Assert.Equal(new[] { _back, _front }.Order(), view.Versions.Select(v => v.Version).Order());
        Assert.Equal("junk", Assert.Single(view.Rejected).Name);
        var instance = Assert.Single(view.Instances);
        Assert.Equal("instance-a", instance.InstanceId);
        Assert.Equal([_back], instance.Loaded);
    }

    [Fact]
    public async Task Activate_rolls_forward_and_back_and_rollback_pops_the_history()
    {
        var pointer = await Admin.ActivateAsync(_front, "back to the selfie model", CancellationToken.None);
        Assert.Equal(_front, pointer.Active);
        Assert.Equal([_back], pointer.Previous);
        Assert.Equal("back to the selfie model", pointer.Reason);

        pointer = await Admin.RollbackAsync(CancellationToken.None);
        Assert.Equal(_back, pointer.Active);
        Assert.Empty(pointer.Previous); // (the initial front was pushed, then activated again: no duplicates)

        await Assert.ThrowsAsync<InvalidOperationException>(() => Admin.RollbackAsync(CancellationToken.None));
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.ActivateAsync("nope-000000000000", "x", CancellationToken.None));
    }

    [Fact]
    public async Task Canary_set_clear_and_promote()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Admin.SetCanaryAsync(_front, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Admin.SetCanaryAsync(_front, 101, CancellationToken.None));
        await Assert.ThrowsAsync<VersionNotFoundException>(() => Admin.SetCanaryAsync("nope-000000000000", 5, CancellationToken.None));
        Assert.Equal(_back, (await Assert.ThrowsAsync<CanaryIsActiveException>(() => Admin.SetCanaryAsync(_back, 5, CancellationToken.None))).Version);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Admin.PromoteCanaryAsync(CancellationToken.None));

        var pointer = await Admin.SetCanaryAsync(_front, 10, CancellationToken.None);
        Assert.Equal(new CanarySplit(_front, 10), pointer.Canary);
        Assert.Equal(_back, pointer.Active);

        pointer = await Admin.ClearCanaryAsync(CancellationToken.None);
        Assert.Null(pointer.Canary);

        await Admin.SetCanaryAsync(_front, 25, CancellationToken.None);
        pointer = await Admin.PromoteCanaryAsync(CancellationToken.None);
        Assert.Equal(_front, pointer.Active);
        Assert.Null(pointer.Canary);
        Assert.Equal(_back, pointer.Previous[0]);
    }

    [Fact]
    public async Task A_running_instance_loads_both_active_and_canary()
    {
        await _instance.StartAsync();
        await _instance.Host.ServesAsync(_back);

        await Admin.SetCanaryAsync(_front, 50, CancellationToken.None);
        await _instance.Host.ServesAsync(_back, _front);
        Assert.Equal(2, _instance.Host.LiveModels);
        var answered = Enumerable.Range(0, 200).Select(i =>
        {
            using var lease = _instance.Provider.TryAcquire($"client-{i}")!;
            return lease.Model.Version;
        }).ToHashSet();
        Assert.Equal(new[] { _back, _front }.Order(), answered.Order());

        await Admin.PromoteCanaryAsync(CancellationToken.None);
        await _instance.Host.ServesAsync(_front);
        Assert.Equal(1, _instance.Host.LiveModels);
        Assert.Equal(2, _instance.Host.ModelsAdopted); // promotion reused the loaded canary
    }
}
