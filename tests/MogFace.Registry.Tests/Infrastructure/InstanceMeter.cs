using System.Diagnostics.Metrics;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// Listens to one instance's <c>MogFace</c> meter (the one scoped to its service provider's
/// <see cref="IMeterFactory"/>, as an exporter would): tests count and await what the instance reports in its
/// metrics instead of hooking into the lifecycle's types.
/// </summary>
internal sealed class InstanceMeter : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _counts = new();
    private readonly List<Waiter> _waiters = new();

    public InstanceMeter(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MogFaceMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> (a counter) has recorded since this listener started.</summary>
    public long Count(string instrument)
    {
        lock (_gate)
            return _counts.GetValueOrDefault(instrument);
    }

    /// <summary>
    /// The tags of the next measurement of <paramref name="instrument"/> for which <paramref name="match"/> holds. The
    /// condition runs on the recording thread, right after what was measured happened.
    /// </summary>
    public Task<IReadOnlyDictionary<string, object?>> NextAsync(string instrument, Func<IReadOnlyDictionary<string, object?>, bool>? match = null)
    {
        var waiter = new Waiter(instrument, match ?? (_ => true));
        lock (_gate)
            _waiters.Add(waiter);
        return waiter.Done.Task.WaitAsync(Timeout);
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var tagged = new Dictionary<string, object?>();
        foreach (var (key, tag) in tags)
            tagged[key] = tag;
        List<Waiter> waiting;
        lock (_gate)
        {
            _counts[instrument.Name] = _counts.GetValueOrDefault(instrument.Name) + value;
            waiting = _waiters.Where(w => w.Instrument == instrument.Name).ToList();
        }
        // Conditions run outside the lock: they may read the instance's state, which takes locks of its own.
        foreach (var waiter in waiting.Where(w => w.Match(tagged)))
        {
            lock (_gate)
                _waiters.Remove(waiter);
            waiter.Done.TrySetResult(tagged);
        }
    }

    public void Dispose() => _listener.Dispose();

    private sealed record Waiter(string Instrument, Func<IReadOnlyDictionary<string, object?>, bool> Match)
    {
        public TaskCompletionSource<IReadOnlyDictionary<string, object?>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
