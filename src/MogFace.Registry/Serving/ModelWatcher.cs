using System.Diagnostics;
using System.Threading.Channels;
using Azure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using MogFace.Engine.Families;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Inference;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Serving;

/// <summary>
/// One per instance. Two loops: the poller reads <c>models/pointer.json</c> with If-None-Match every poll
/// interval (±20 % jitter) and publishes each new pointer; the applier brings the <see cref="ModelHost"/> to
/// the newest published pointer: download into the verified cache, load, warm up, swap. A failed apply is
/// retried with backoff while the current models keep serving, and a newer pointer cancels the retries of an
/// older one, so one bad version cannot freeze later updates (triton#6534). Storage outages cost a logged
/// warning per poll and nothing else. Heartbeats go to <c>models/instances/&lt;id&gt;.json</c>.
/// </summary>
internal sealed class ModelWatcher : BackgroundService
{
    private const double Jitter = 0.2;

    private readonly ModelHost _host;
    private readonly ModelRegistry _registry;
    private readonly ModelCache _cache;
    private readonly SessionFactory _sessions;
    private readonly MogFaceOptions _options;
    private readonly TimeProvider _time;
    private readonly MogFaceMetrics _metrics;
    private readonly PointerHealth _pointerHealth;
    private readonly ServiceStats _stats;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly Channel<PointerDocument?> _published =
        Channel.CreateBounded<PointerDocument?>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly object _gate = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _shaByVersion = new(StringComparer.Ordinal);

    private ETag? _etag;
    private ModelTarget _latest = new(null, null, 0);
    private ModelTarget? _applying;
    private CancellationTokenSource? _applyCancellation;
    private long _polls, _applyFailures;
    private DateTimeOffset? _lastPoll;
    private string? _pollError, _applyError, _permanentFailure;
    private TaskCompletionSource _parked = NewSignal();
    private bool _isParked;

    public ModelWatcher(ModelHost host, ModelRegistry registry, ModelCache cache, SessionFactory sessions,
        IOptions<MogFaceOptions> options, TimeProvider time, MogFaceMetrics metrics, PointerHealth pointerHealth, ServiceStats stats, ILogger<ModelWatcher> logger)
    {
        _stats = stats;
        _pointerHealth = pointerHealth;
        _host = host;
        _registry = registry;
        _cache = cache;
        _sessions = sessions;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not (OperationCanceledException or PermanentLoadException)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.LoadRetryDelay,
                MaxDelay = _options.LoadRetryMaxDelay,
                OnRetry = args =>
                {
                    _logger.LogWarning(args.Outcome.Exception,
                        "Loading the new models failed (attempt {Attempt}); the current models keep serving; retrying in {Delay}",
                        args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>After each poll: true when storage answered.</summary>
    public event Action<bool>? PollCompleted;

    /// <summary>After each failed attempt to load and swap (it will be retried unless superseded).</summary>
    public event Action<Exception>? ApplyFailed;

    /// <summary>After each heartbeat written to storage.</summary>
    public event Action<InstanceHeartbeat>? HeartbeatWritten;

    private volatile bool _stopped;
    private readonly SemaphoreSlim _heartbeatWrites = new(1, 1);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Completed pointer polls (successful or not).</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Failed attempts to apply a pointer (each one retried).</summary>
    public long ApplyFailures => Interlocked.Read(ref _applyFailures);

    /// <summary>When the registry last answered a poll (null before the first answer); readiness reads it.</summary>
    public DateTimeOffset? LastRegistryContact
    {
        get
        {
            lock (_gate)
                return _lastPoll;
        }
    }

    /// <summary>The active version of the newest pointer read (null while the registry has none).</summary>
    public string? PointerActive
    {
        get
        {
            lock (_gate)
                return _latest.Active;
        }
    }

    /// <summary>
    /// Completes when the poller waits for its next poll with its timer registered (at once if it does now),
    /// so a test can advance a fake clock knowing the poll will fire.
    /// </summary>
    public Task WhenParkedAsync()
    {
        lock (_gate)
            return _isParked ? Task.CompletedTask : _parked.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never hold up host start-up
        var applier = Task.Run(() => ApplyLoopAsync(stoppingToken), CancellationToken.None);
        try
        {
            // Start-up: the current pointer is read (and applied by the applier) at once; readiness follows the first load.
            while (!stoppingToken.IsCancellationRequested)
            {
                await PollOnceAsync(stoppingToken);
                if (!await ParkAsync(NextDelay(), stoppingToken))
                    break;
            }
        }
        finally
        {
            _published.Writer.TryComplete();
            try
            {
                await applier;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The poll interval ±20 %, so a fleet started together does not poll in lock-step.</summary>
    internal TimeSpan NextDelay() =>
        _options.PollInterval * (1 - Jitter + 2 * Jitter * Random.Shared.NextDouble());

    private async Task<bool> ParkAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        // Task.Delay registers its timer synchronously, so "parked" is only signalled once the timer exists.
        var wait = Task.Delay(delay, _time, stoppingToken);
        lock (_gate)
        {
            _isParked = true;
            _parked.TrySetResult();
        }
        try
        {
            await wait;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _isParked = false;
                _parked = NewSignal();
            }
        }
    }

    internal async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var ok = false;
        try
        {
            var read = await _registry.ReadPointerAsync(_etag, cancellationToken);
            lock (_gate)
                _lastPoll = _time.GetUtcNow(); // a struct read by the applier's heartbeats: no torn reads
            switch (read.Status)
            {
                case PointerReadStatus.Changed:
                    _etag = read.ETag;
                    _pointerHealth.Report(null);
                    Publish(read.Document);
                    break;
                case PointerReadStatus.Missing:
                    _etag = null;
                    _pointerHealth.Report(null);
                    break;
                case PointerReadStatus.Unreadable:
                    await OnUnreadablePointerAsync(read.Error!, cancellationToken);
                    // Only once handled (the fallback may fail on storage and must then be tried again): later
                    // polls cost a 304 until someone replaces the broken blob.
                    _etag = read.ETag;
                    break;
            }
            if (_pollError is not null)
                _logger.LogInformation("Model registry reachable again");
            _pollError = null;
            ok = true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage outage or a garbled pointer: keep serving what is loaded, try again next poll.
            _pollError = $"{ex.GetType().Name}: {FirstLine(ex.Message)}";
            _logger.LogWarning("Polling the model pointer failed; serving {Active} meanwhile: {Error}",
                _host.Current.ActiveVersion ?? "nothing", _pollError);
        }
        finally
        {
            Interlocked.Increment(ref _polls);
        }
        await WriteHeartbeatAsync(cancellationToken);
        PollCompleted?.Invoke(ok);
    }

    /// <summary>
    /// A running instance keeps serving what it loaded from the last good pointer; one with nothing loaded
    /// (a restart) serves the last good version it can find rather than answering 503 until a repair.
    /// </summary>
    private async Task OnUnreadablePointerAsync(string error, CancellationToken cancellationToken)
    {
        _pointerHealth.Report($"models/{ModelRegistry.PointerBlob} is unreadable: {error}");
        if (_host.IsReady)
        {
            _logger.LogError("models/{Blob} is unreadable ({Error}); serving {Active} until it is repaired (activate a version)",
                ModelRegistry.PointerBlob, error, _host.Current.ActiveVersion);
            return;
        }
        var fallback = await LastGoodTarget.FindAsync(_registry, _host.InstanceId, cancellationToken);
        _logger.LogError("models/{Blob} is unreadable ({Error}); nothing loaded, so serving {Fallback} until it is repaired",
            ModelRegistry.PointerBlob, error, fallback?.Reason ?? "nothing (no registered version)");
        if (fallback is not null)
            Publish(fallback);
    }

    private void Publish(PointerDocument? pointer)
    {
        var target = ModelTarget.From(pointer);
        lock (_gate)
        {
            _latest = target;
            // A newer pointer supersedes one still loading or waiting to retry.
            if (_applying is not null && _applying != target)
                _applyCancellation?.Cancel();
        }
        _published.Writer.TryWrite(pointer);
    }

    private async Task ApplyLoopAsync(CancellationToken stoppingToken)
    {
        await foreach (var pointer in _published.Reader.ReadAllAsync(stoppingToken))
        {
            var target = ModelTarget.From(pointer);
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lock (_gate)
            {
                if (target != _latest)
                    continue; // already superseded
                _applying = target;
                _applyCancellation = cancellation;
            }
            try
            {
                await _retry.ExecuteAsync(token => ApplyAsync(target, token), cancellation.Token);
                _applyError = null;
                _permanentFailure = null;
            }
            catch (PermanentLoadException ex)
            {
                // Not retried: the current models keep serving, the heartbeat says why, the next pointer tries again.
                _permanentFailure = $"{ex.Version}: {FirstLine(ex.Message)}";
                _logger.LogError(ex, "Gave up loading {Version}; serving {Active} until the pointer names another version",
                    ex.Version, _host.Current.ActiveVersion ?? "nothing");
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogInformation("Applying {Active} was superseded by a newer pointer", target.Active);
            }
            finally
            {
                lock (_gate)
                {
                    _applying = null;
                    _applyCancellation = null;
                }
            }
            await WriteHeartbeatAsync(stoppingToken);
        }
    }

    private async ValueTask ApplyAsync(ModelTarget target, CancellationToken cancellationToken)
    {
        if (target.Active is null || _host.Current.Serves(target))
            return;
        using var activity = MogFaceTracing.Source.StartActivity(MogFaceTracing.SwapSpan);
        activity?.SetTag(MogFaceTracing.ModelVersion, target.Active)
            .SetTag(MogFaceTracing.CanaryVersion, target.Canary)
            .SetTag(MogFaceTracing.Instance, _host.InstanceId);
        var started = Stopwatch.GetTimestamp();
        FaceModel? loadedActive = null, loadedCanary = null;
        try
        {
            var active = _host.Find(target.Active) ?? (loadedActive = await LoadAsync(target.Active, cancellationToken));
            FaceModel? canary = null;
            if (target.Canary is not null)
                canary = _host.Find(target.Canary) ?? (loadedCanary = await LoadAsync(target.Canary, cancellationToken));
            // Counted just before the switch: whoever sees the new version served also sees the swap in the stats.
            _metrics.RecordSwap(Stopwatch.GetElapsedTime(started));
            _host.Swap(active, canary, target.CanaryPercent);
            loadedActive = loadedCanary = null; // the host owns them now
            _cache.Prune(CachedInUse());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _applyFailures);
            _applyError = $"loading {target.Active}{(target.Canary is null ? "" : $" / canary {target.Canary}")}: {FirstLine(ex.Message)}";
            var permanent = ex is PermanentLoadException;
            if (permanent)
                _permanentFailure = $"{((PermanentLoadException)ex).Version}: {FirstLine(ex.Message)}";
            _metrics.RecordSwapFailure(permanent ? ex.InnerException?.GetType().Name ?? ex.GetType().Name : ex.GetType().Name, permanent);
            activity?.SetStatus(ActivityStatusCode.Error, _applyError);
            await WriteHeartbeatAsync(cancellationToken);
            ApplyFailed?.Invoke(ex);
            throw;
        }
        finally
        {
            loadedActive?.Dispose();
            loadedCanary?.Dispose();
        }
    }

    /// <summary>Download (verified cache), load with the configured provider, warm up.</summary>
    private async Task<FaceModel> LoadAsync(string version, CancellationToken cancellationToken)
    {
        using var load = MogFaceTracing.Source.StartActivity(MogFaceTracing.LoadSpan)?.SetTag(MogFaceTracing.ModelVersion, version);
        var record = await _registry.GetVersionAsync(version, cancellationToken) ?? throw new VersionNotFoundException(version);
        _shaByVersion[version] = record.Sha256;
        string path;
        using (MogFaceTracing.Source.StartActivity("mogface.download"))
            path = await DownloadVerifiedAsync(version, record.Sha256, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        FaceModel model;
        using (MogFaceTracing.Source.StartActivity("mogface.session"))
        {
            try
            {
                model = FaceModel.Load(_sessions, path, record.Manifest, version);
            }
            catch (Exception ex) when (ex is ModelFormatException or ExternalDataException)
            {
                throw new PermanentLoadException(version, $"{version} cannot be loaded: {ex.Message}", ex);
            }
        }
        _metrics.RecordLoad(version, Stopwatch.GetElapsedTime(started));
        try
        {
            // Warm-up: the first runs of a session allocate its arenas; no request should pay for that.
            using var warmup = MogFaceTracing.Source.StartActivity("mogface.warmup");
            started = Stopwatch.GetTimestamp();
            var problem = model.Pipeline.SmokeTest();
            if (problem is not null)
                throw new PermanentLoadException(version, $"Warm-up of {version} produced non-finite outputs: {problem}");
            model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock());
            _metrics.RecordWarmup(version, Stopwatch.GetElapsedTime(started));
            _logger.LogInformation("Loaded {Version} on {Provider}", version, model.Provider);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The verified cache file of <paramref name="version"/>. A download that does not hash right may be torn, so it
    /// is fetched once more; the same again means the stored bytes are not the version's: permanent.
    /// </summary>
    private async Task<string> DownloadVerifiedAsync(string version, string sha256, CancellationToken cancellationToken)
    {
        Task Download(Stream stream, CancellationToken token) => _registry.DownloadModelAsync(version, stream, token);
        try
        {
            return await _cache.EnsureAsync(sha256, Download, cancellationToken);
        }
        catch (ModelIntegrityException first)
        {
            _logger.LogWarning("The download of {Version} does not hash to its sha256 ({Error}); downloading it once more", version, first.Message);
        }
        try
        {
            return await _cache.EnsureAsync(sha256, Download, cancellationToken);
        }
        catch (ModelIntegrityException again)
        {
            throw new PermanentLoadException(version, $"The stored bytes of {version} do not hash to its sha256, downloaded twice: {again.Message}", again);
        }
    }

    private List<string> CachedInUse()
    {
        // The cache is keyed by sha256; the manifest of each served version has it.
        return _host.Current.Versions
            .Select(v => _shaByVersion.GetValueOrDefault(v))
            .OfType<string>().ToList();
    }

    /// <summary>
    /// After the loops end, one last heartbeat says "stopped", so operators tell a replica that scaled in or
    /// restarted from one that hangs (whose heartbeat just ages).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _stopped = true;
        await WriteHeartbeatAsync(CancellationToken.None, InstanceHeartbeat.FinalWriteTimeout);
    }

    internal InstanceHeartbeat Heartbeat()
    {
        var set = _host.Current;
        var error = _applyError ?? _pollError ?? _pointerHealth.Error;
        DateTimeOffset? lastPoll;
        lock (_gate)
            lastPoll = _lastPoll;
        var state = _stopped ? "stopped"
            : !_host.IsReady ? (error is null ? "starting" : "failing")
            : error is null ? "ready" : "degraded";
        return new InstanceHeartbeat
        {
            InstanceId = _host.InstanceId,
            Active = set.ActiveVersion,
            Canary = set.CanaryVersion,
            Loaded = set.Versions,
            State = state,
            Provider = set.Active?.Model.Provider,
            LastPoll = lastPoll,
            LastError = error,
            PermanentFailure = _permanentFailure,
            UpdatedAt = _time.GetUtcNow(),
            Traffic = _stats.Traffic(_options.CanaryWindow),
        };
    }

    /// <summary>
    /// Heartbeat writes run one at a time and are not abandoned half-way on shutdown (a cancelled PUT can
    /// still land after the next one): so the final "stopped" heartbeat really is the last word.
    /// </summary>
    /// <param name="timeout">The most the write may take, waiting for one in flight included (default <see cref="HeartbeatTimeout"/>).</param>
    private async Task WriteHeartbeatAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        // The write itself is not cancelled by cancellationToken (see above), only bounded by the timeout.
        using var limit = new CancellationTokenSource(timeout ?? HeartbeatTimeout);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            await _heartbeatWrites.WaitAsync(waiting.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            var heartbeat = Heartbeat();
            await _registry.WriteHeartbeatAsync(heartbeat, limit.Token);
            HeartbeatWritten?.Invoke(heartbeat);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Heartbeat not written: {Error}", FirstLine(ex.Message));
        }
        finally
        {
            _heartbeatWrites.Release();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
