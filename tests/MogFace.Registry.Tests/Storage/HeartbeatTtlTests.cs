using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Storage;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Storage;

/// <summary>Issue 12: dead instances leave the list after MogFace:HeartbeatTtl, and their heartbeat blobs go with them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HeartbeatTtlTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_heartbeat_older_than_the_ttl_leaves_the_list_and_the_container()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix(), time: time,
            settings: new Dictionary<string, string?> { ["MogFace:HeartbeatTtl"] = "00:10:00" });
        var registry = instance.Registry;
        await registry.EnsureContainersAsync(CancellationToken.None);
        await registry.WriteHeartbeatAsync(Heartbeat("gone", time.GetUtcNow() - TimeSpan.FromMinutes(11)), CancellationToken.None);
        await registry.WriteHeartbeatAsync(Heartbeat("edge", time.GetUtcNow() - TimeSpan.FromMinutes(10)), CancellationToken.None);
        await registry.WriteHeartbeatAsync(Heartbeat("alive", time.GetUtcNow()), CancellationToken.None);

        var listed = await registry.ListHeartbeatsAsync(CancellationToken.None);

        Assert.Equal(["alive", "edge"], listed.Select(h => h.InstanceId));
        Assert.False(await registry.Models.GetBlobClient(ModelRegistry.HeartbeatBlob("gone")).ExistsAsync());
        Assert.True(await registry.Models.GetBlobClient(ModelRegistry.HeartbeatBlob("edge")).ExistsAsync());

        time.Advance(TimeSpan.FromMinutes(1)); // now "edge" is 11 minutes old too
        Assert.Equal(["alive"], (await registry.ListHeartbeatsAsync(CancellationToken.None)).Select(h => h.InstanceId));
    }

    private static InstanceHeartbeat Heartbeat(string id, DateTimeOffset at) =>
        new() { InstanceId = id, State = "ready", Loaded = [], UpdatedAt = at };
}
