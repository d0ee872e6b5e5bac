using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using MogFace.Engine;
using MogFace.Engine.Text;
using MogFace.Registry.Configuration;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Serving;

/// <summary>
/// One per instance: brings what this instance serves (<see cref="ServedModels"/>) to what the pointer asks for. Two
/// loops: the <see cref="PointerPoller"/> every poll interval (±20 % jitter), and the applier, which takes the
/// newest pointer, loads what is missing through the <see cref="ModelLoader"/> and swaps. A failed apply is retried
/// with backoff while the current models keep serving, and a newer pointer cancels the retries of an older one, so
/// one bad version cannot freeze later updates (triton#6534); a version that can never load is not retried. The
/// <see cref="HeartbeatWriter"/> reports after every poll and every apply, and once more, "stopped", at shutdown.
/// </summary>
internal sealed class ModelReconciler : BackgroundService
{
    private readonly ServedModels _served;
    private readonly PointerPoller _poller;
    private readonly PollSchedule _schedule;
    private readonly ModelLoader _loader;
    private readonly HeartbeatWriter _heartbeats;
    private readonly InstanceStatus _status;
    private readonly MogFaceOptions _options;
    private readonly MogFaceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly Channel<PointerDocument?> _published =
        Channel.CreateBounded<PointerDocument?>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly object _gate = new();

    private ModelTarget _latest = new(null, null, 0);
    private ModelTarget? _applying;
    private CancellationTokenSource? _applyCancellation;

    public ModelReconciler(ServedModels served, PointerPoller poller, PollSchedule schedule, ModelLoader loader, HeartbeatWriter heartbeats, InstanceStatus status,
        IOptions<MogFaceOptions> options, TimeProvider time, MogFaceMetrics metrics, ILogger<ModelReconciler> logger)
    {
        _served = served;
        _poller = poller;
        _schedule = schedule;
        _loader = loader;
        _heartbeats = heartbeats;
        _status = status;
        _options = options.Value;
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
                if (!await _schedule.WaitAsync(stoppingToken))
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _heartbeats.WriteFinalAsync();
    }

    private async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var ok = await _poller.PollOnceAsync(Publish, cancellationToken);
        await _heartbeats.WriteAsync(cancellationToken);
        _metrics.RecordPoll(ok); // after the heartbeat: a poll counted is a poll reported
    }

    private void Publish(PointerDocument? pointer)
    {
        var target = ModelTarget.From(pointer);
        _status.PointerRead(target.Active);
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
                _status.Applied();
            }
            catch (PermanentLoadException ex)
            {
                // Not retried: the current models keep serving, the heartbeat says why, the next pointer tries again.
                _status.GaveUp($"{ex.Version}: {ExceptionText.FirstLine(ex.Message)}");
                _logger.LogError(ex, "Gave up loading {Version}; serving {Active} until the pointer names another version",
                    ex.Version, _served.Current.ActiveVersion ?? "nothing");
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
            await _heartbeats.WriteAsync(stoppingToken);
        }
    }

    private async ValueTask ApplyAsync(ModelTarget target, CancellationToken cancellationToken)
    {
        if (target.Active is null || _served.Current.Serves(target))
            return;
        using var activity = MogFaceTracing.Source.StartActivity(MogFaceTracing.SwapSpan);
        activity?.SetTag(MogFaceTracing.ModelVersion, target.Active)
            .SetTag(MogFaceTracing.CanaryVersion, target.Canary)
            .SetTag(MogFaceTracing.Instance, _served.InstanceId);
        var started = Stopwatch.GetTimestamp();
        FaceModel? loadedActive = null, loadedCanary = null;
        try
        {
            var active = _served.Find(target.Active) ?? (loadedActive = await _loader.LoadAsync(target.Active, cancellationToken));
            FaceModel? canary = null;
            if (target.Canary is not null)
                canary = _served.Find(target.Canary) ?? (loadedCanary = await _loader.LoadAsync(target.Canary, cancellationToken));
            // Counted just before the switch: whoever sees the new version served also sees the swap in the stats.
            _metrics.RecordSwap(Stopwatch.GetElapsedTime(started));
            _served.Swap(active, canary, target.CanaryPercent);
            loadedActive = loadedCanary = null; // the served set owns them now
            _loader.PruneCache(_served.Current.Versions);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = $"loading {target.Active}{(target.Canary is null ? "" : $" / canary {target.Canary}")}: {ExceptionText.FirstLine(ex.Message)}";
            var permanent = ex as PermanentLoadException;
            _status.ApplyFailed(error, permanent is null ? null : $"{permanent.Version}: {ExceptionText.FirstLine(ex.Message)}");
            _metrics.RecordSwapFailure(permanent is not null ? ex.InnerException?.GetType().Name ?? ex.GetType().Name : ex.GetType().Name, permanent is not null);
            activity?.SetStatus(ActivityStatusCode.Error, error);
            await _heartbeats.WriteAsync(cancellationToken);
            throw;
        }
        finally
        {
            loadedActive?.Dispose();
            loadedCanary?.Dispose();
        }
    }
}
