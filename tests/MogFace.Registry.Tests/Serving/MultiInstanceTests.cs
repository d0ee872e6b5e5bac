using System.Collections.Concurrent;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Registry.Serving;

namespace MogFace.Registry.Tests.Serving;

/// <summary>A scaled-out deployment in one process: three instances converge on each upload.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MultiInstanceTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private readonly string _suffix = AzuriteFixture.NewContainerSuffix();
    private readonly List<LifecycleInstance> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
            await instance.DisposeAsync();
    }

    [Fact]
    public async Task Three_instances_converge_on_each_upload_and_their_heartbeats_show_it()
    {
        var ids = new[] { "replica-1", "replica-2", "replica-3" };
        foreach (var id in ids)
            _instances.Add(LifecycleInstance.Create(azurite, _suffix, id, pollInterval: Poll));
        var uploader = _instances[0];
        var swaps = new ConcurrentQueue<ModelSwap>();
        foreach (var instance in _instances)
            instance.Host.Swapped += swaps.Enqueue;

        var v1 = await uploader.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        foreach (var instance in _instances)
            await instance.StartAsync();
        await Task.WhenAll(_instances.Select(i => i.Host.ServesAsync(v1)));

        var samples = new List<object>();
        foreach (var (name, bytes) in new[] { ("blazeface-back.onnx", TestWeights.Back), ("blazeface-back-b.onnx", TestWeights.BackVariant("b")) })
        {
            var version = TestWeights.VersionOf(name, bytes);
            var heartbeats = _instances.Select(i => i.HeartbeatAsync(h => h.Active == version)).ToArray();
            var uploaded = await uploader.IngestAcceptedAsync(name, bytes);
            Assert.Equal(version, uploaded);
            await Task.WhenAll(_instances.Select(i => i.Host.ServesAsync(version)));
            await Task.WhenAll(heartbeats);

            var pointer = await uploader.Registry.GetPointerAsync(CancellationToken.None);
            var convergence = swaps.Where(s => s.Active == version)
                .ToDictionary(s => s.InstanceId, s => (s.At - pointer!.UpdatedAt).TotalMilliseconds);
            Assert.Equal(ids.Order(), convergence.Keys.Order());
            // Bound: one jittered poll interval plus download, load and warm-up (generous on a busy 2-core VM).
            Assert.All(convergence.Values, ms => Assert.InRange(ms, 0, (Poll * 1.2).TotalMilliseconds + 5000));
            samples.Add(new { version, convergenceMs = convergence });

            var view = await uploader.Admin.ListAsync(CancellationToken.None);
            Assert.Equal(ids.Order(), view.Instances.Select(h => h.InstanceId).Order());
            Assert.All(view.Instances, h =>
            {
                Assert.Equal(version, h.Active);
                Assert.Equal("ready", h.State);
                Assert.Equal([version], h.Loaded);
                Assert.NotNull(h.LastPoll);
            });
        }

        Assert.All(_instances, i => Assert.Equal(1, i.Host.LiveModels));
        Measurements.Write("hot-swap-convergence.json", new { pollIntervalMs = Poll.TotalMilliseconds, instances = ids.Length, uploads = samples });
    }

    [Fact]
    public async Task An_instance_that_stops_says_so_in_its_last_heartbeat()
    {
        var leaving = LifecycleInstance.Create(azurite, _suffix, "replica-leaving", pollInterval: Poll);
        var staying = LifecycleInstance.Create(azurite, _suffix, "replica-staying", pollInterval: Poll);
        _instances.Add(staying);
        var v1 = await staying.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        await leaving.StartAsync();
        await staying.StartAsync();
        await Task.WhenAll(leaving.Host.ServesAsync(v1), staying.Host.ServesAsync(v1));

        await leaving.DisposeAsync(); // stops its hosted services, as a host shutting down does

        var view = await staying.Admin.ListAsync(CancellationToken.None);
        Assert.Equal("stopped", view.Instances.Single(h => h.InstanceId == "replica-leaving").State);
        Assert.Equal(v1, view.Instances.Single(h => h.InstanceId == "replica-leaving").Active);
    }

}
