using System.Collections.Concurrent;
using System.Diagnostics;
using MogFace.Registry.Tests.Infrastructure;
using Xunit.Abstractions;
using MogFace.Tests.Shared;
using MogFace.Engine.Detection;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Serving;

/// <summary>
/// Hot swap under traffic: request loops run detections without pause while versions are uploaded, canaried,
/// promoted, rolled back and re-activated. No request may fail, every answer must come from a version the
/// instance served during that request, and every retired session must be disposed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SwapUnderLoadTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Loops = 4;
    private const int SteadySamplesPerStep = 150;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly ConcurrentQueue<Served> _timeline = new();
    private LifecycleInstance _instance = null!;
    // The sample counter and its target move together under one lock: published apart, a loop could pair the
    // previous (already passed) target with the new completion source and end a step before it had a sample.
    private readonly Lock _samples = new();
    private long _completed, _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _failures;

    private sealed record Request(long Start, long End, string? Version, double Ms, string? Error);

    /// <summary>What the host served from <see cref="From"/> (swap began) — the set before stays valid until <see cref="Published"/>.</summary>
    private sealed record Served(long From, long Published, string[] Versions, DateTimeOffset At);

    private sealed record Step(string Name, long WindowStart, long WindowEnd, double ConvergenceMs, string[] Serving);

    public Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix(), "under-load", pollInterval: Poll);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    /// <summary>Which changes run under load.</summary>
    public enum Scenario
    {
        /// <summary>BlazeFace versions: uploads, canary, promotion, rollback, re-activation (docs/hot-swap.md).</summary>
        BlazeFaceVersions,

        /// <summary>BlazeFace → YuNet → BlazeFace: two families with different outputs; the swap must not care.</summary>
        AcrossFamilies,
    }

    [Theory]
    [InlineData(Scenario.BlazeFaceVersions)]
    [InlineData(Scenario.AcrossFamilies)]
    public async Task Versions_swap_under_concurrent_load_without_a_failed_request(Scenario scenario)
    {
        var host = _instance.Host;
        var admin = _instance.Admin;
        var v0 = await UploadAsync("blazeface-back.onnx", TestWeights.Back);
        host.Swapped += s => _timeline.Enqueue(new Served(s.Timestamp, Stopwatch.GetTimestamp(),
            new[] { s.Active, s.Canary }.OfType<string>().ToArray(), s.At));
        await _instance.StartAsync();
        await host.ServesAsync(v0);

        using var stop = new CancellationTokenSource();
        // Request threads of their own (as a server's request threads): blocking loops on the thread pool would
        // starve the reconciler's async continuations on a 2-core machine and measure the test, not the swap.
        var loops = Enumerable.Range(0, Loops)
            .Select(i => Task.Factory.StartNew(() => RequestLoop(i, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        await SamplesAsync(SteadySamplesPerStep);

        var steps = new List<Step>();
        async Task Change(string name, Func<Task> change, string active, string? canary = null)
        {
            var start = Stopwatch.GetTimestamp();
            await change();
            var pointer = await _instance.Registry.GetPointerAsync(CancellationToken.None);
            await host.ServesAsync(active, canary);
            var swap = _timeline.Last();
            var convergence = (swap.At - pointer!.UpdatedAt).TotalMilliseconds;
            steps.Add(new Step(name, start, swap.Published, convergence, swap.Versions));
            output.WriteLine($"{name}: serving {string.Join(" + ", swap.Versions)} {convergence:0} ms after the pointer changed");
            Assert.InRange(convergence, -50, (Poll * 1.2).TotalMilliseconds + 5000);
            await SamplesAsync(SteadySamplesPerStep);
        }

        Dictionary<string, Func<Request, bool>> groups;
        if (scenario == Scenario.BlazeFaceVersions)
        {
            var v1 = TestWeights.VersionOf("blazeface-front.onnx", TestWeights.Front);
            var v2 = TestWeights.VersionOf("blazeface-back-b.onnx", TestWeights.BackVariant("b"));
            var v3 = TestWeights.VersionOf("blazeface-front-f.onnx", TestWeights.FrontVariant("f"));
            await Change("upload front (v1)", () => UploadAsync("blazeface-front.onnx", TestWeights.Front), v1);
            await Change("upload back-b (v2)", () => UploadAsync("blazeface-back-b.onnx", TestWeights.BackVariant("b")), v2);
            await Change("canary v1 at 50 %", () => admin.SetCanaryAsync(v1, 50, CancellationToken.None), v2, v1);
            await Change("promote canary v1", () => admin.PromoteCanaryAsync(CancellationToken.None), v1);
            await Change("upload front-f (v3)", () => UploadAsync("blazeface-front-f.onnx", TestWeights.FrontVariant("f")), v3);
            await Change("rollback to v1", () => admin.RollbackAsync(CancellationToken.None), v1);
            await Change("activate v0", () => admin.ActivateAsync(v0, "back to the default", CancellationToken.None), v0);
            // Front (128 px) and back (256 px) models differ ~4× in cost: compare windows per model size.
            groups = new()
            {
                ["back256"] = r => r.Version!.StartsWith("blazeface-back", StringComparison.Ordinal),
                ["front128"] = r => r.Version!.StartsWith("blazeface-front", StringComparison.Ordinal),
            };
        }
        else
        {
            var yunet = TestWeights.VersionOf("yunet-n.onnx", TestWeights.YuNet);
            await Change("upload yunet (v1)", () => UploadAsync("yunet-n.onnx", TestWeights.YuNet), yunet);
            await Change("canary blazeface-back (v0) at 50 %", () => admin.SetCanaryAsync(v0, 50, CancellationToken.None), yunet, v0);
            await Change("promote canary v0", () => admin.PromoteCanaryAsync(CancellationToken.None), v0);
            await Change("rollback to yunet", () => admin.RollbackAsync(CancellationToken.None), yunet);
            await Change("activate v0", () => admin.ActivateAsync(v0, "back to BlazeFace", CancellationToken.None), v0);
            // The probe is 512 × 512: YuNet runs it at that size, BlazeFace at 256.
            groups = new()
            {
                ["blazefaceBack256"] = r => r.Version!.StartsWith("blazeface-back", StringComparison.Ordinal),
                ["yunet512"] = r => r.Version!.StartsWith("yunet", StringComparison.Ordinal),
            };
        }

        stop.Cancel();
        await Task.WhenAll(loops);

        var requests = _requests.ToArray();
        var errors = requests.Where(r => r.Error is not null).Select(r => r.Error).Distinct().ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(0, Interlocked.Read(ref _failures));
        Assert.True(requests.Length >= 1000, $"only {requests.Length} detections");

        // Every answer names a version the instance served at some moment of that request's lifetime.
        var timeline = _timeline.ToArray();
        var initial = new Served(0, 0, [v0], DateTimeOffset.MinValue);
        var sets = timeline.Prepend(initial).ToArray();
        foreach (var r in requests)
        {
            var valid = Enumerable.Range(0, sets.Length).Any(i =>
                sets[i].Versions.Contains(r.Version)
                && sets[i].From <= r.End
                && (i + 1 == sets.Length || sets[i + 1].Published >= r.Start));
            Assert.True(valid, $"A request answered by {r.Version} ran when that version was not served.");
        }

        // Convergence: once a change is served, every request that starts afterwards gets the new set.
        for (var i = 0; i < steps.Count; i++)
        {
            var until = i + 1 < steps.Count ? steps[i + 1].WindowStart : long.MaxValue;
            var after = requests.Where(r => r.Start > steps[i].WindowEnd && r.End < until).ToList();
            Assert.True(after.Count > 0, $"no request ran wholly after \"{steps[i].Name}\" was served");
            Assert.All(after, r => Assert.Contains(r.Version, steps[i].Serving));
        }

        // Old sessions: all disposed once their last request ended; only the active one is alive.
        Assert.Equal(1, host.LiveModels);
        Assert.Equal(host.ModelsAdopted - 1, host.ModelsDisposed);
        Assert.True(host.ModelsAdopted >= steps.Count, $"{host.ModelsAdopted} models loaded");

        Report(requests, steps, groups, scenario == Scenario.BlazeFaceVersions ? "hot-swap-load.json" : "hot-swap-load-families.json");
    }

    private void Report(Request[] requests, List<Step> steps, Dictionary<string, Func<Request, bool>> groups, string file)
    {
        var windowEndSlack = Stopwatch.Frequency / 10; // 100 ms after the swap still counts as the swap window
        bool InWindow(Request r) => steps.Any(s => r.End >= s.WindowStart && r.Start <= s.WindowEnd + windowEndSlack);
        object Latency(IEnumerable<Request> subset)
        {
            var swap = subset.Where(InWindow).Select(r => r.Ms).ToList();
            var steady = subset.Where(r => !InWindow(r)).Select(r => r.Ms).ToList();
            return new
            {
                swapWindow = new { count = swap.Count, p50 = Measurements.Percentile(swap, 50), p99 = Measurements.Percentile(swap, 99), max = swap.DefaultIfEmpty().Max() },
                steady = new { count = steady.Count, p50 = Measurements.Percentile(steady, 50), p99 = Measurements.Percentile(steady, 99), max = steady.DefaultIfEmpty().Max() },
                ratioP50 = Measurements.Percentile(swap, 50) / Measurements.Percentile(steady, 50),
                ratioP99 = Measurements.Percentile(swap, 99) / Measurements.Percentile(steady, 99),
            };
        }
        var result = new
        {
            machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            loops = Loops,
            pollIntervalMs = Poll.TotalMilliseconds,
            detections = requests.Length,
            failures = Interlocked.Read(ref _failures),
            changes = steps.Select(s => new { s.Name, convergenceMs = Math.Round(s.ConvergenceMs, 1), windowMs = Math.Round(Stopwatch.GetElapsedTime(s.WindowStart, s.WindowEnd).TotalMilliseconds, 1) }),
            all = Latency(requests),
            byModel = groups.ToDictionary(g => g.Key, g => Latency(requests.Where(g.Value))),
            modelsLoaded = _instance.Host.ModelsAdopted,
            modelsDisposed = _instance.Host.ModelsDisposed,
        };
        var path = Measurements.Write(file, result);
        output.WriteLine(File.ReadAllText(path));
    }

    private async Task<string> UploadAsync(string name, byte[] bytes)
    {
        var outcome = await _instance.Ingestion.IngestAsync(name, new MemoryStream(bytes), null, CancellationToken.None);
        Assert.True(outcome.Accepted, outcome.Reason);
        return outcome.Version!;
    }

    /// <summary>Waits until <paramref name="count"/> more detections have completed.</summary>
    private Task SamplesAsync(int count)
    {
        lock (_samples)
        {
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _target = _completed + count;
            return _reached.Task.WaitAsync(ReconcilerSteps.Timeout);
        }
    }

    private void RequestLoop(int loop, CancellationToken stop)
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            string? version = null, error = null;
            try
            {
                using var lease = _instance.Provider.TryAcquire($"client-{loop}-{n++ % 16}");
                if (lease is null)
                {
                    error = "no model";
                }
                else
                {
                    version = lease.Model.Version;
                    var faces = lease.Model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock());
                    if (faces.Count == 0)
                        error = $"{version} found no face";
                }
            }
            catch (Exception ex)
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
            }
            var end = Stopwatch.GetTimestamp();
            if (error is not null)
                Interlocked.Increment(ref _failures);
            _requests.Enqueue(new Request(start, end, version, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, error));
            lock (_samples)
            {
                if (++_completed >= _target)
                    _reached.TrySetResult();
            }
        }
    }
}
