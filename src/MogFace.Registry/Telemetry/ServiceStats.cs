using MogFace.Engine.Statistics;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MogFace.Registry.Telemetry;

/// <summary>What one instance served of one version over a window (failed requests included in <see cref="Requests"/>): heartbeats carry it for canary plans.</summary>
public sealed record VersionTraffic(string Version, long Requests, long Errors, double? P99Ms);

/// <summary>Latency of one model version over the stats window.</summary>
public sealed record VersionLatency(string Version, long Requests, double P50Ms, double P99Ms);

/// <summary>
/// What <c>GET /api/health</c> reports under <c>stats</c>: totals since start, plus per-version latency over
/// the last <see cref="ServiceStats.Window"/>. The operator console polls it to draw its charts.
/// </summary>
public sealed record StatsSnapshot(
    DateTimeOffset At,
    long Requests,
    long Errors,
    long Swaps,
    long SwapFailures,
    long IngestionsAccepted,
    long IngestionsRejected,
    IReadOnlyList<VersionLatency> Latency);

/// <summary>
/// Listens to this process's own "MogFace" meter (the instruments OpenTelemetry exports), so the health
/// route can show live numbers without a metrics backend and without coupling the request path to it.
/// </summary>
public sealed class ServiceStats : IDisposable
{
    public const string MeterName = MogFaceMetrics.MeterName;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxSamplesPerVersion = 4096;

    /// <summary>
    /// How long a version's window outlives its last sample (at least; longer when <see cref="Traffic"/> was asked
    /// for a longer window): versions an instance stopped serving leave the map, which would otherwise grow by
    /// one ~100 KB ring per version served over the process's life.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>At most this many versions keep a window; past it the one sampled longest ago goes first.</summary>
    public const int MaxVersions = 16;

    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, LatencyWindow> _latency = new();
    private long _requests, _errors, _swaps, _swapFailures, _accepted, _rejected;
    private long _longestWindowTicks = Window.Ticks;

    /// <param name="scope">
    /// Only meters created with this scope count (DI meters have their <see cref="IMeterFactory"/> as scope),
    /// so two hosts in one process — tests, simulated instances — keep separate numbers.
    /// </param>
    public ServiceStats(TimeProvider time, object? scope)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => OnMeasurement(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => OnMeasurement(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => OnMeasurement(instrument.Name, value, tags));
        _listener.Start();
    }

    private void OnMeasurement(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument)
        {
            case "mogface.detect.duration":
                Interlocked.Increment(ref _requests);
                var version = Tag(tags, "model.version") ?? "unknown";
                WindowOf(version).Add(_time.GetUtcNow(), value, ok: true);
                break;
            case "mogface.detect.errors":
                Interlocked.Add(ref _errors, (long)value);
                // A failure of a known version counts against it (the canary plan compares error rates); "not
                // ready" answers have no version.
                if (Tag(tags, "model.version") is { } failed)
                    WindowOf(failed).Add(_time.GetUtcNow(), double.NaN, ok: false);
                break;
            case "mogface.model.swaps": Interlocked.Add(ref _swaps, (long)value); break;
            case "mogface.model.swap_failures": Interlocked.Add(ref _swapFailures, (long)value); break;
            case "mogface.ingestion.accepted": Interlocked.Add(ref _accepted, (long)value); break;
            case "mogface.ingestion.rejected": Interlocked.Add(ref _rejected, (long)value); break;
        }
    }

    private LatencyWindow WindowOf(string version)
    {
        if (_latency.TryGetValue(version, out var window))
            return window;
        // A new version: the moment to let go of the ones no longer served (rare, so the scan costs nothing).
        Evict(keep: MaxVersions - 1);
        return _latency.GetOrAdd(version, _ => new LatencyWindow());
    }

    /// <summary>Drops windows without a sample within the retention, then the longest-silent ones past <paramref name="keep"/>.</summary>
    private void Evict(int keep = MaxVersions)
    {
        var retention = TimeSpan.FromTicks(Math.Max(Retention.Ticks, Interlocked.Read(ref _longestWindowTicks)));
        var oldest = _time.GetUtcNow() - retention;
        var byNewest = _latency.Select(kv => (kv.Key, Newest: kv.Value.Newest)).OrderByDescending(e => e.Newest).ToList();
        foreach (var (version, newest) in byNewest.Where(e => e.Newest < oldest).Concat(byNewest.Where(e => e.Newest >= oldest).Skip(keep)))
            _latency.TryRemove(version, out _);
    }

    /// <summary>How many versions hold a latency window now (tests check the bound).</summary>
    internal int TrackedVersions => _latency.Count;

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key)
                return tag.Value?.ToString();
        return null;
    }

    public StatsSnapshot Snapshot()
    {
        Evict();
        var now = _time.GetUtcNow();
        var latency = _latency
            .Select(kv => kv.Value.Summarise(kv.Key, now - Window))
            .Where(l => l is not null)
            .Select(l => l!)
            .OrderBy(l => l.Version, StringComparer.Ordinal)
            .ToList();
        return new StatsSnapshot(now, Interlocked.Read(ref _requests), Interlocked.Read(ref _errors),
            Interlocked.Read(ref _swaps), Interlocked.Read(ref _swapFailures),
            Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), latency);
    }

    /// <summary>Per version: requests (failed ones included), errors and p99 over the last <paramref name="window"/> (heartbeats carry it).</summary>
    public IReadOnlyList<VersionTraffic> Traffic(TimeSpan window)
    {
        InterlockedMax(ref _longestWindowTicks, window.Ticks);
        var since = _time.GetUtcNow() - window;
        return _latency
            .Select(kv => kv.Value.Traffic(kv.Key, since))
            .Where(t => t.Requests > 0)
            .OrderBy(t => t.Version, StringComparer.Ordinal)
            .ToList();
    }

    public void Dispose() => _listener.Dispose();

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
                return;
        }
    }

    /// <summary>
    /// A bounded ring of (time, ms, ok) samples for one version: successes and failures share it, so an error rate
    /// read from it covers the same requests as its latency.
    /// </summary>
    private sealed class LatencyWindow
    {
        private readonly (DateTimeOffset At, double Ms, bool Ok)[] _samples = new (DateTimeOffset, double, bool)[MaxSamplesPerVersion];
        private int _next, _count;

        /// <summary>When the last sample came (eviction reads it).</summary>
        public DateTimeOffset Newest
        {
            get
            {
                lock (_samples)
                    return _count == 0 ? DateTimeOffset.MinValue : _samples[(_next - 1 + _samples.Length) % _samples.Length].At;
            }
        }

        public void Add(DateTimeOffset at, double ms, bool ok)
        {
            lock (_samples)
            {
                _samples[_next] = (at, ms, ok);
                _next = (_next + 1) % _samples.Length;
                _count = Math.Min(_count + 1, _samples.Length);
            }
        }

        public VersionLatency? Summarise(string version, DateTimeOffset since)
        {
            double[] recent;
            lock (_samples)
                recent = _samples.Take(_count).Where(s => s.At >= since && s.Ok).Select(s => s.Ms).Order().ToArray();
            if (recent.Length == 0)
                return null;
            return new VersionLatency(version, recent.Length,
                Math.Round(NearestRank.PercentileOfSorted(recent, 0.5), 2), Math.Round(NearestRank.PercentileOfSorted(recent, 0.99), 2));
        }

        public VersionTraffic Traffic(string version, DateTimeOffset since)
        {
            (DateTimeOffset At, double Ms, bool Ok)[] recent;
            lock (_samples)
                recent = _samples.Take(_count).Where(s => s.At >= since).ToArray();
            var succeeded = recent.Where(s => s.Ok).Select(s => s.Ms).Order().ToArray();
            return new VersionTraffic(version, recent.Length, recent.Length - succeeded.Length,
                succeeded.Length == 0 ? null : Math.Round(NearestRank.Percentile(succeeded, 0.99), 2));
        }
    }
}
