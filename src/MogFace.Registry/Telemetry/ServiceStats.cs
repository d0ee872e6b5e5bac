using MogFace.Engine.Statistics;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MogFace.Registry.Telemetry;

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

    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, LatencyWindow> _latency = new();
    private long _requests, _errors, _swaps, _swapFailures, _accepted, _rejected;

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
                _latency.GetOrAdd(version, _ => new LatencyWindow()).Add(_time.GetUtcNow(), value);
                break;
            case "mogface.detect.errors": Interlocked.Add(ref _errors, (long)value); break;
            case "mogface.model.swaps": Interlocked.Add(ref _swaps, (long)value); break;
            case "mogface.model.swap_failures": Interlocked.Add(ref _swapFailures, (long)value); break;
            case "mogface.ingestion.accepted": Interlocked.Add(ref _accepted, (long)value); break;
            case "mogface.ingestion.rejected": Interlocked.Add(ref _rejected, (long)value); break;
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key)
                return tag.Value?.ToString();
        return null;
    }

    public StatsSnapshot Snapshot()
    {
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

    public void Dispose() => _listener.Dispose();

    /// <summary>A bounded ring of (time, ms) samples for one version.</summary>
    private sealed class LatencyWindow
    {
        private readonly (DateTimeOffset At, double Ms)[] _samples = new (DateTimeOffset, double)[MaxSamplesPerVersion];
        private int _next, _count;

        public void Add(DateTimeOffset at, double ms)
        {
            lock (_samples)
            {
                _samples[_next] = (at, ms);
                _next = (_next + 1) % _samples.Length;
                _count = Math.Min(_count + 1, _samples.Length);
            }
        }

        public VersionLatency? Summarise(string version, DateTimeOffset since)
        {
            double[] recent;
            lock (_samples)
                recent = _samples.Take(_count).Where(s => s.At >= since).Select(s => s.Ms).Order().ToArray();
            if (recent.Length == 0)
                return null;
            return new VersionLatency(version, recent.Length,
                Math.Round(NearestRank.PercentileOfSorted(recent, 0.5), 2), Math.Round(NearestRank.PercentileOfSorted(recent, 0.99), 2));
        }
    }
}
