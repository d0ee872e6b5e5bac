using Microsoft.Extensions.Logging.Abstractions;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Inference;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Serving;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Serving;

/// <summary>Leases and atomic swaps, without storage: the session goes exactly when its last request does.</summary>
public sealed class ServedModelsTests : IDisposable
{
    private static readonly SessionFactory Sessions = new(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 1 });
    private readonly MogFaceMetrics _metrics = new();
    private readonly ServedModels _host;

    public ServedModelsTests() => _host = new ServedModels("unit", _metrics, TimeProvider.System, NullLogger<ServedModels>.Instance);

    private static FaceModel Load(byte[] bytes, string version) => FaceModel.Load(Sessions, bytes, null, version, cpuOnly: true);

    [Fact]
    public void Not_ready_and_no_lease_before_the_first_model()
    {
        Assert.False(_host.IsReady);
        Assert.Null(_host.TryAcquire("client"));
    }

    [Fact]
    public void A_retired_model_serves_its_open_lease_and_is_disposed_when_the_lease_ends()
    {
        var v1 = Load(TestWeights.Front, "v1");
        _host.Swap(v1, null, 0);
        Assert.True(_host.IsReady);

        var lease = _host.TryAcquire(null)!;
        Assert.Same(v1, lease.Model);

        var v2 = Load(TestWeights.Back, "v2");
        var swap = _host.Swap(v2, null, 0);
        Assert.Equal(["v1"], swap.Retired);

        // New requests get v2 at once; the request that started on v1 still runs on it.
        using (var next = _host.TryAcquire(null)!)
            Assert.Equal("v2", next.Model.Version);
        Assert.False(v1.IsDisposed);
        var faces = lease.Model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock());
        Assert.NotEmpty(faces);
        Assert.Equal(2, _host.LiveModels);

        lease.Dispose();
        Assert.True(v1.IsDisposed);
        Assert.Equal(1, _host.LiveModels);
        lease.Dispose(); // idempotent
        Assert.Equal(1, _host.ModelsDisposed);
    }

    [Fact]
    public void A_retired_model_without_leases_is_disposed_by_the_swap()
    {
        var v1 = Load(TestWeights.Front, "v1");
        _host.Swap(v1, null, 0);
        _host.Swap(Load(TestWeights.Back, "v2"), null, 0);
        Assert.True(v1.IsDisposed);
        Assert.Equal(1, _host.LiveModels);
    }

    [Fact]
    public async Task Requests_racing_many_swaps_never_see_a_disposed_model()
    {
        var versions = new[] { TestWeights.Front, TestWeights.Back };
        _host.Swap(Load(versions[0], "v0"), null, 0);
        var failures = 0;
        var served = 0;
        using var requestServed = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var lease = _host.TryAcquire(null);
                try
                {
                    // What a request does that would fail on a disposed session: run the network.
                    if (lease!.Model.IsDisposed || lease.Model.Pipeline.SmokeTest() is not null)
                        Interlocked.Increment(ref failures);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
                Interlocked.Increment(ref served);
                requestServed.Release();
            }
        })).ToArray();

        for (var i = 1; i <= 20; i++)
        {
            // Requests really run between swaps, however slowly a loaded machine schedules the loops.
            for (var r = 0; r < 2; r++)
                Assert.True(await requestServed.WaitAsync(TimeSpan.FromSeconds(60)), "request loops made no progress");
            _host.Swap(Load(versions[i % 2], $"v{i}"), null, 0);
        }
        stop.Cancel();
        await Task.WhenAll(loops);

        Assert.Equal(0, failures);
        Assert.True(served >= 40);
        Assert.Equal(21, _host.ModelsAdopted);
        Assert.Equal(20, _host.ModelsDisposed);
        Assert.Equal(1, _host.LiveModels);
    }

    [Fact]
    public void Canary_takes_its_share_sticky_per_client_and_keeps_the_active_loaded()
    {
        var active = Load(TestWeights.Back, "active");
        var canary = Load(TestWeights.Front, "canary");
        _host.Swap(active, canary, 30);

        var clients = Enumerable.Range(0, 1000).Select(i => $"client-{i}").ToArray();
        var routed = clients.Count(c =>
        {
            using var lease = _host.TryAcquire(c)!;
            Assert.Equal(lease.IsCanary ? "canary" : "active", lease.Model.Version);
            return lease.IsCanary;
        });
        Assert.InRange(routed, 240, 360);

        // Sticky: the same client always lands on the same side, on any instance (stable hash).
        foreach (var c in clients.Take(50))
        {
            var first = CanaryRouter.RoutesToCanary(c, 30);
            for (var k = 0; k < 5; k++)
            {
                using var lease = _host.TryAcquire(c)!;
                Assert.Equal(first, lease.IsCanary);
            }
        }

        // Promote: the canary's model becomes active without a reload; the old active goes.
        _host.Swap(canary, null, 0);
        Assert.True(active.IsDisposed);
        Assert.False(canary.IsDisposed);
        Assert.Equal(1, _host.LiveModels);
    }

    [Fact]
    public void Canary_buckets_are_stable_values_not_process_randomised()
    {
        // Fixed expectations: SHA-256 based, identical in every process and on every instance.
        Assert.Equal(CanaryRouter.Bucket("alice"), CanaryRouter.Bucket(new string("alice".ToCharArray())));
        var buckets = Enumerable.Range(0, 10_000).Select(i => CanaryRouter.Bucket($"id{i}")).ToArray();
        Assert.All(buckets, b => Assert.InRange(b, 0, 99));
        Assert.InRange(buckets.Count(b => b < 10), 850, 1150);
        Assert.True(CanaryRouter.RoutesToCanary("anyone", 100));
        Assert.False(CanaryRouter.RoutesToCanary("anyone", 0));
    }

    public void Dispose()
    {
        _host.Dispose();
        _metrics.Dispose();
    }
}
