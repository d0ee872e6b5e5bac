using Microsoft.Extensions.DependencyInjection;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Storage;

/// <summary>
/// A models/pointer.json that does not parse (issue 12, case 1): listed, reported, refused with a reason by the
/// actions that need it, repaired by activation and upload, and survived by a restarted instance.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CorruptPointerTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly InstanceSet _instances = new(azurite, output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _instances.DisposeAsync();

    private LifecycleInstance NewInstance(string id = "instance-a") => _instances.Add(id);

    public static TheoryData<string> Garbage => new() { "{not json", "null", """{"active":5}""", """{"active":"x","previous":null}""", "[]", "" };

    private static Task CorruptAsync(LifecycleInstance instance, string text) =>
        instance.Registry.Models.GetBlobClient(ModelRegistry.PointerBlob).UploadAsync(BinaryData.FromString(text), overwrite: true);

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Listing_reports_the_broken_pointer_and_activation_repairs_it(string garbage)
    {
        var instance = NewInstance();
        var front = await instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        var back = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await CorruptAsync(instance, garbage);

        var view = await instance.Admin.ListAsync(CancellationToken.None);
        Assert.Null(view.Pointer);
        Assert.False(string.IsNullOrWhiteSpace(view.PointerError));
        Assert.Equal(2, view.Versions.Count); // what an operator needs to choose a version to activate

        // Actions that need the current pointer say why they cannot run, and change nothing.
        await Assert.ThrowsAsync<PointerUnreadableException>(() => instance.Admin.RollbackAsync(CancellationToken.None));
        await Assert.ThrowsAsync<PointerUnreadableException>(() => instance.Admin.SetCanaryAsync(front, 10, CancellationToken.None));
        await Assert.ThrowsAsync<PointerUnreadableException>(() => instance.Admin.ClearCanaryAsync(CancellationToken.None));
        await Assert.ThrowsAsync<PointerUnreadableException>(() => instance.Admin.PromoteCanaryAsync(CancellationToken.None));

        // Activation does not need the broken pointer: it replaces it (the history is rebuilt from the versions).
        var pointer = await instance.Admin.ActivateAsync(front, "repair", CancellationToken.None);
        Assert.Equal(front, pointer.Active);
        Assert.Equal([back], pointer.Previous);
        view = await instance.Admin.ListAsync(CancellationToken.None);
        Assert.Null(view.PointerError);
        Assert.Equal(front, view.Pointer!.Active);
        Assert.Equal(back, (await instance.Admin.RollbackAsync(CancellationToken.None)).Active);
    }

    [Fact]
    public async Task An_upload_repairs_a_broken_pointer()
    {
        var instance = NewInstance();
        await instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        await CorruptAsync(instance, "{not json");

        var back = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);

        Assert.Equal(back, (await instance.Registry.GetPointerAsync(CancellationToken.None))!.Active);
    }

    [Fact]
    public async Task A_running_instance_keeps_serving_and_reports_the_broken_pointer_until_it_is_repaired()
    {
        var instance = NewInstance();
        var back = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await instance.StartAsync();
        await instance.Host.ServesAsync(back);

        await CorruptAsync(instance, "{not json");
        var degraded = await instance.HeartbeatAsync(h => h.State == "degraded");
        Assert.Contains("pointer.json", degraded.LastError);
        Assert.NotNull(instance.Services.GetRequiredService<PointerHealth>().Error);
        using (var lease = instance.Provider.TryAcquire(null))
            Assert.Equal(back, lease!.Model.Version);

        await instance.Admin.ActivateAsync(back, "repair", CancellationToken.None);
        await instance.HeartbeatAsync(h => h.State == "ready");
        Assert.Null(instance.Services.GetRequiredService<PointerHealth>().Error);
    }

    [Fact]
    public async Task A_restarted_instance_serves_what_the_fleet_served_last()
    {
        // v1 was rolled back: the newest version is not the good one. The running instance's heartbeat says what is.
        var first = NewInstance("instance-a");
        var front = await first.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        var back = await first.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await first.Admin.RollbackAsync(CancellationToken.None);
        await first.StartAsync();
        await first.Host.ServesAsync(front);
        await first.HeartbeatAsync(h => h.Active == front);
        await CorruptAsync(first, "{not json");

        var restarted = NewInstance("instance-b");
        await restarted.StartAsync();
        await restarted.Host.ServesAsync(front);
        Assert.NotEqual(back, front);
    }

    [Fact]
    public async Task With_no_heartbeat_a_restarted_instance_serves_the_newest_registered_version()
    {
        var uploader = NewInstance("uploader");
        await uploader.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        var back = await uploader.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await CorruptAsync(uploader, "null");

        var restarted = NewInstance("instance-b");
        await restarted.StartAsync();
        await restarted.Host.ServesAsync(back);
    }
}
