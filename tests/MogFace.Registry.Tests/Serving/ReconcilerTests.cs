using Microsoft.Extensions.DependencyInjection;
using MogFace.Engine.Detection;
using MogFace.Registry.Ingestion.Gates;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Engine;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Serving;

/// <summary>Polling, readiness, retries and supersession of the model reconciler, on a fake clock.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReconcilerTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
    private readonly PollClock _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _suffix = AzuriteFixture.NewContainerSuffix();
    private readonly List<LifecycleInstance> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
            await instance.DisposeAsync();
    }

    private LifecycleInstance NewInstance(string id = "instance-a", IDictionary<string, string?>? settings = null, string? cacheDirectory = null)
    {
        var instance = LifecycleInstance.Create(azurite, _suffix, id, _time, Poll, settings, cacheDirectory: cacheDirectory, output: output);
        _instances.Add(instance);
        return instance;
    }


    [Fact]
    public async Task Polls_every_interval_with_at_most_20_percent_jitter()
    {
        var instance = NewInstance();
        var first = instance.NextPollAsync();
        await instance.StartAsync();
        Assert.True(await first); // at start-up, without waiting for the interval

        for (var cycle = 0; cycle < 5; cycle++)
        {
            await _time.WhenPollersWaitAsync(Poll).WaitAsync(ReconcilerSteps.Timeout);
            var polls = instance.Meter.Count("mogface.registry.polls");
            var next = instance.NextPollAsync();
            _time.Advance(Poll * 0.79);
            Assert.False(next.IsCompleted);
            Assert.Equal(polls, instance.Meter.Count("mogface.registry.polls")); // the timer has not fired before 80 % of the interval
            _time.Advance(Poll * 0.42);
            Assert.True(await next); // …and always has by 120 %
            Assert.Equal(polls + 1, instance.Meter.Count("mogface.registry.polls"));
        }
        Assert.InRange(instance.Services.GetRequiredService<PollSchedule>().NextDelay().TotalSeconds, 8, 12);
    }

    [Fact]
    public async Task Not_ready_until_the_first_model_is_loaded_then_ready_with_the_current_pointer()
    {
        var instance = NewInstance();
        await instance.StartAsync();
        await _time.WhenPollersWaitAsync(Poll).WaitAsync(ReconcilerSteps.Timeout);
        Assert.False(instance.Provider.IsReady); // empty registry: nothing to serve, health says 503
        Assert.Null(instance.Provider.TryAcquire(null));

        var v1 = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        var written = instance.HeartbeatAsync(h => h.Active == v1);
        await instance.PollNowAsync(_time, Poll);
        await instance.Host.ServesAsync(v1);

        Assert.True(instance.Provider.IsReady);
        using var lease = instance.Provider.TryAcquire(null);
        Assert.Equal(v1, lease!.Model.Version);
        Assert.Equal("ready", (await written).State);
    }

    [Fact]
    public async Task A_restarted_instance_loads_the_current_pointer_before_it_is_ready()
    {
        var instance = NewInstance(cacheDirectory: Path.Combine(TestTemp.Root, _suffix, "shared-cache"));
        var v1 = await instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        await instance.StartAsync();
        await instance.Host.ServesAsync(v1);

        // The instance goes down; meanwhile a new version is activated.
        await instance.DisposeAsync();
        _instances.Remove(instance);
        var admin = NewInstance("admin-only");
        var v2 = await admin.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);

        var restarted = NewInstance(cacheDirectory: instance.CacheDirectory);
        Assert.False(restarted.Provider.IsReady);
        var ready = restarted.Host.WaitForAsync(s => s.Active is not null, CancellationToken.None);
        await restarted.StartAsync();
        await ready.WaitAsync(ReconcilerSteps.Timeout);

        // Its first model is the current pointer's, never the one it served before the restart.
        Assert.Equal(v2, restarted.Host.Current.ActiveVersion);
        Assert.Equal(1, restarted.Host.ModelsAdopted);
        Assert.Equal(1, restarted.Cache.Hits + restarted.Cache.Downloads);
    }

    [Fact]
    public async Task A_failing_version_keeps_the_old_model_serving_and_a_newer_pointer_supersedes_its_retries()
    {
        var instance = NewInstance(settings: new Dictionary<string, string?>
        {
            // Retries of the broken version would only fire an hour later (fake clock never gets there).
            ["MogFace:LoadRetryDelay"] = "01:00:00",
            ["MogFace:LoadRetryMaxDelay"] = "02:00:00",
        });
        var v1 = await instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        await instance.StartAsync();
        await instance.Host.ServesAsync(v1);

        // A registered version whose stored bytes do not match its sha256 (corrupted in storage).
        var broken = await RegisterBrokenVersionAsync(instance.Registry, "broken-000000000000");
        await instance.Admin.ActivateAsync(broken, "test", CancellationToken.None);
        var failure = instance.NextApplyFailureAsync();
        var degradedHeartbeat = instance.HeartbeatAsync(h => h.LastError is not null);
        await instance.PollNowAsync(_time, Poll);
        // Downloaded twice, never right: permanent (PermanentLoadFailureTests), not retried.
        Assert.Equal(new SwapFailure(nameof(ModelIntegrityException), Permanent: true), await failure);
        Assert.Equal(v1, instance.Host.Current.ActiveVersion); // still serving
        using (var lease = instance.Provider.TryAcquire(null))
            Assert.Equal(v1, lease!.Model.Version);
        var degraded = await degradedHeartbeat;
        Assert.Equal("degraded", degraded.State);
        Assert.Contains(broken, degraded.LastError);

        // The next pointer wins at the next poll, without waiting out the backoff of the broken one.
        var v2 = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await instance.PollNowAsync(_time, Poll);
        await instance.Host.ServesAsync(v2);
        Assert.Equal(1, instance.Meter.Count("mogface.model.swap_failures"));
        Assert.Equal(1, instance.Host.ModelsDisposed);
    }

    [Fact]
    public async Task Storage_outage_keeps_serving_and_the_update_is_applied_after_recovery()
    {
        var instance = NewInstance();
        var v1 = await instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        await instance.StartAsync();
        await instance.Host.ServesAsync(v1);
        var v2 = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);

        await azurite.StopAsync();
        try
        {
            for (var i = 0; i < 2; i++)
                Assert.False(await instance.PollNowAsync(_time, Poll)); // the poll fails…
            using var lease = instance.Provider.TryAcquire(null); // …and requests are still answered
            Assert.Equal(v1, lease!.Model.Version);
            Assert.NotEmpty(lease.Model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock()));
            Assert.True(instance.Provider.IsReady);
        }
        finally
        {
            await azurite.StartAsync();
        }

        var recovered = instance.HeartbeatAsync(h => h.Active == v2 && h.LastError is null);
        Assert.True(await instance.PollNowAsync(_time, Poll));
        await instance.Host.ServesAsync(v2);
        var heartbeat = await recovered;
        Assert.Equal("ready", heartbeat.State);
    }

    internal static async Task<string> RegisterBrokenVersionAsync(ModelRegistry registry, string version)
    {
        var record = new VersionRecord
        {
            Version = version,
            Name = "broken",
            Family = "blazeface",
            // Not the hash of the stored bytes (nor of anything cached): every download fails verification.
            Sha256 = ModelVersion.Sha256Hex("not these bytes"u8),
            Size = TestWeights.Front.Length,
            Created = DateTimeOffset.UnixEpoch,
        };
        Assert.True(await registry.RegisterVersionAsync(record, BinaryData.FromBytes(TestWeights.Back), CancellationToken.None));
        return version;
    }
}
