using Microsoft.Extensions.Logging;
using MogFace.Engine;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Serving;

/// <summary>
/// The models this instance serves (active, and canary when one runs), for the request path. What it serves
/// is one immutable <see cref="ModelSet"/> replaced atomically: a request sees the old set or the new one,
/// never a mixture and never nothing (triton#2076 unloaded first and loaded after). Leases keep retired models
/// alive until their requests end; then the session is disposed, without sleeps or timers.
/// </summary>
internal sealed class ServedModels : IModelProvider, IDisposable
{
    private readonly object _swapGate = new();
    private readonly MogFaceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ModelSet _set = ModelSet.Empty;
    private long _adopted, _disposed;
    private int _hostDisposed;

    public ServedModels(string instanceId, MogFaceMetrics metrics, TimeProvider time, ILogger<ServedModels> logger)
    {
        InstanceId = instanceId;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public string InstanceId { get; }

    public bool IsReady => Volatile.Read(ref _set).Active is not null;

    public ModelSet Current => Volatile.Read(ref _set);

    /// <summary>Models handed to this host over its lifetime.</summary>
    public long ModelsAdopted => Interlocked.Read(ref _adopted);

    /// <summary>Of those, the ones whose session has been disposed.</summary>
    public long ModelsDisposed => Interlocked.Read(ref _disposed);

    /// <summary>Sessions alive now: served ones plus retired ones still answering leased requests.</summary>
    public long LiveModels => ModelsAdopted - ModelsDisposed;

    /// <summary>Raised after every swap, on the thread that swapped.</summary>
    public event Action<ModelSwap>? Swapped;

    public ModelLease? TryAcquire(string? clientId) =>
        Acquire(set => set.Canary is not null && CanaryRouter.RoutesToCanary(clientId, set.CanaryPercent) ? set.Canary : set.Active);

    public ModelLease? TryAcquireActive() => Acquire(set => set.Active);

    public ModelLease? TryAcquireVersion(string version) =>
        Acquire(set => set.Active?.Version == version ? set.Active : set.Canary?.Version == version ? set.Canary : null);

    public IReadOnlyList<string> LoadedVersions => Current.Versions;

    public CanarySplit? Canary => Current is { CanaryVersion: { } version } set ? new CanarySplit(version, set.CanaryPercent) : null;

    private Lease? Acquire(Func<ModelSet, RetainedModel?> choose)
    {
        while (true)
        {
            var set = Volatile.Read(ref _set);
            var chosen = choose(set);
            if (chosen is null)
                return null;
            if (chosen.TryRetain())
                return new Lease(chosen, ReferenceEquals(chosen, set.Canary));
            // Retired and fully released between reading the set and retaining it: the set has been replaced
            // before the retirement, so reading it again finds the newer model.
        }
    }

    /// <summary>The model of <paramref name="version"/> when this host serves it now.</summary>
    public FaceModel? Find(string version)
    {
        var set = Current;
        return set.Active?.Version == version ? set.Active.Model
            : set.Canary?.Version == version ? set.Canary.Model
            : null;
    }

    /// <summary>
    /// Serves <paramref name="active"/> (and <paramref name="canary"/> for <paramref name="canaryPercent"/>
    /// of requests) from now on. Models already served are kept as they are; those no longer served are
    /// retired and disposed when their last lease ends. The host owns every model passed in.
    /// </summary>
    public ModelSwap Swap(FaceModel active, FaceModel? canary, int canaryPercent)
    {
        ModelSwap swap;
        lock (_swapGate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _hostDisposed) != 0, this);
            if (ReferenceEquals(canary, active))
                canary = null;
            var old = _set;
            var timestamp = System.Diagnostics.Stopwatch.GetTimestamp();
            var next = new ModelSet(Adopt(active, old), canary is null ? null : Adopt(canary, old), canary is null ? 0 : canaryPercent);
            Volatile.Write(ref _set, next);
            var retired = new List<string>();
            foreach (var model in new[] { old.Active, old.Canary })
            {
                if (model is not null && model != next.Active && model != next.Canary)
                {
                    retired.Add(model.Version);
                    model.Retire();
                }
            }
            _metrics.SetServing(next.ActiveVersion, next.CanaryVersion);
            swap = new ModelSwap(InstanceId, next.ActiveVersion, next.CanaryVersion, next.CanaryPercent, retired, _time.GetUtcNow(), timestamp);
        }
        _logger.LogInformation("Instance {Instance} now serves {Active} (canary {Canary} at {Percent}%); retired {Retired}",
            InstanceId, swap.Active, swap.Canary ?? "none", swap.CanaryPercent, swap.Retired.Count == 0 ? "none" : string.Join(", ", swap.Retired));
        Swapped?.Invoke(swap);
        return swap;
    }

    /// <summary>Completes when the served set satisfies <paramref name="condition"/> (at once if it does now).</summary>
    public async Task WaitForAsync(Func<ModelSet, bool> condition, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSwap(ModelSwap _)
        {
            if (condition(Current))
                done.TrySetResult();
        }
        Swapped += OnSwap;
        try
        {
            OnSwap(null!);
            await done.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Swapped -= OnSwap;
        }
    }

    private RetainedModel Adopt(FaceModel model, ModelSet current)
    {
        if (current.Active?.Model == model)
            return current.Active;
        if (current.Canary?.Model == model)
            return current.Canary;
        Interlocked.Increment(ref _adopted);
        return new RetainedModel(model, OnDisposed);
    }

    private void OnDisposed(RetainedModel model)
    {
        Interlocked.Increment(ref _disposed);
        _logger.LogDebug("Disposed the session of {Version}", model.Version);
    }

    /// <summary>Stops serving; sessions go as their last leases end.</summary>
    public void Dispose()
    {
        lock (_swapGate)
        {
            if (Interlocked.Exchange(ref _hostDisposed, 1) != 0)
                return;
            var old = _set;
            Volatile.Write(ref _set, ModelSet.Empty);
            old.Active?.Retire();
            old.Canary?.Retire();
            _metrics.SetServing(null, null);
        }
    }

    private sealed class Lease(RetainedModel model, bool canary) : ModelLease
    {
        private int _released;

        public override FaceModel Model => model.Model;
        public override bool IsCanary => canary;

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                model.Release();
        }
    }
}
