using System.Diagnostics.Metrics;

namespace MogFace.Registry.Telemetry;

/// <summary>
/// The service's instruments (meter <c>MogFace</c>, OpenTelemetry-ready: add the meter by name). Durations of
/// the model lifecycle are in seconds, detect latency in milliseconds. Hosts record detect latency and errors
/// through <see cref="RecordDetect"/> and <see cref="RecordDetectError"/>; the lifecycle records the rest.
/// </summary>
public sealed class MogFaceMetrics : IDisposable
{
    public const string MeterName = "MogFace";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _swaps;
    private readonly Counter<long> _swapFailures;
    private readonly Histogram<double> _swapDuration;
    private readonly Histogram<double> _loadDuration;
    private readonly Histogram<double> _warmupDuration;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _detectDuration;
    private readonly Counter<long> _detectErrors;
    private readonly Counter<long> _canaryDecisions;
    private readonly Counter<long> _deleted;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _heartbeats;
    private volatile ServingVersions _serving = new(null, null);

    public MogFaceMetrics(IMeterFactory meterFactory)
        : this(meterFactory.Create(MeterName), ownsMeter: false)
    {
    }

    /// <summary>Without DI (tools, tests): owns its meter.</summary>
    public MogFaceMetrics()
        : this(new Meter(MeterName), ownsMeter: true)
    {
    }

    private MogFaceMetrics(Meter meter, bool ownsMeter)
    {
        _meter = meter;
        _ownsMeter = ownsMeter;
        _swaps = meter.CreateCounter<long>("mogface.model.swaps", "{swap}", "Model swaps applied by this instance.");
        _swapFailures = meter.CreateCounter<long>("mogface.model.swap_failures", "{failure}", "Failed attempts to load a new pointer state (retried with backoff).");
        _swapDuration = meter.CreateHistogram<double>("mogface.model.swap.duration", "s", "From noticing a pointer change to serving it (download, load, warm-up, swap).");
        _loadDuration = meter.CreateHistogram<double>("mogface.model.load.duration", "s", "Session creation time of one model version.");
        _warmupDuration = meter.CreateHistogram<double>("mogface.model.warmup.duration", "s", "Warm-up runs before a model serves.");
        _accepted = meter.CreateCounter<long>("mogface.ingestion.accepted", "{upload}", "Uploads registered as versions.");
        _rejected = meter.CreateCounter<long>("mogface.ingestion.rejected", "{upload}", "Uploads refused, tagged by reason.");
        _detectDuration = meter.CreateHistogram<double>("mogface.detect.duration", "ms", "Detect latency per model version.");
        _detectErrors = meter.CreateCounter<long>("mogface.detect.errors", "{error}", "Failed detect requests.");
        _canaryDecisions = meter.CreateCounter<long>("mogface.canary.decisions", "{decision}",
            "Canary plan decisions written by this instance's decider, tagged action (advance, promote, rollback, cancel).");
        _deleted = meter.CreateCounter<long>("mogface.registry.deleted", "{version}", "Versions deleted from the registry (DELETE /api/models/{version}).");
        _polls = meter.CreateCounter<long>("mogface.registry.polls", "{poll}",
            "Pointer polls by this instance, tagged outcome (answered, failed: storage did not answer).");
        _heartbeats = meter.CreateCounter<long>("mogface.instance.heartbeats", "{heartbeat}",
            "Heartbeats this instance tried to write, tagged outcome (written, failed) and the state they reported.");
        meter.CreateObservableGauge("mogface.model.active", ObserveServing, "{model}",
            "1 for each version this instance serves, tagged model.version and model.role (active or canary).");
    }

    public void RecordDetect(string version, double milliseconds) =>
        _detectDuration.Record(milliseconds, new KeyValuePair<string, object?>("model.version", version));

    public void RecordDetectError(string? version, string reason) =>
        _detectErrors.Add(1, new KeyValuePair<string, object?>("model.version", version), new KeyValuePair<string, object?>("reason", reason));

    internal void RecordSwap(TimeSpan duration)
    {
        _swaps.Add(1);
        _swapDuration.Record(duration.TotalSeconds);
    }

    /// <param name="permanent">A failure no retry fixes (tagged <c>permanent</c>: the instance stopped trying that version).</param>
    internal void RecordSwapFailure(string reason, bool permanent = false) =>
        _swapFailures.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("permanent", permanent));

    internal void RecordLoad(string version, TimeSpan duration) =>
        _loadDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("model.version", version));

    internal void RecordWarmup(string version, TimeSpan duration) =>
        _warmupDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("model.version", version));

    internal void RecordAccepted(string version) =>
        _accepted.Add(1, new KeyValuePair<string, object?>("model.version", version));

    internal void RecordRejected(string reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void RecordCanaryDecision(string version, string action) =>
        _canaryDecisions.Add(1, new KeyValuePair<string, object?>("model.version", version), new KeyValuePair<string, object?>("action", action));

    internal void RecordDeleted(string version) =>
        _deleted.Add(1, new KeyValuePair<string, object?>("model.version", version));
    internal void RecordPoll(bool answered) =>
        _polls.Add(1, new KeyValuePair<string, object?>("outcome", answered ? "answered" : "failed"));

    internal void RecordHeartbeat(bool written, string state) =>
        _heartbeats.Add(1, new KeyValuePair<string, object?>("outcome", written ? "written" : "failed"), new KeyValuePair<string, object?>("state", state));

    internal void SetServing(string? active, string? canary) => _serving = new ServingVersions(active, canary);

    private IEnumerable<Measurement<int>> ObserveServing()
    {
        var serving = _serving;
        if (serving.Active is not null)
            yield return new Measurement<int>(1, new("model.version", serving.Active), new("model.role", "active"));
        if (serving.Canary is not null)
            yield return new Measurement<int>(1, new("model.version", serving.Canary), new("model.role", "canary"));
    }

    public void Dispose()
    {
        if (_ownsMeter)
            _meter.Dispose();
    }

    private sealed record ServingVersions(string? Active, string? Canary);
}
