using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Engine.Text;
using MogFace.Registry.Configuration;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Serving;

/// <summary>
/// Writes <c>models/instances/&lt;id&gt;.json</c>: what this instance serves and how it is doing, read by
/// <c>GET /api/models</c>, the console and the canary plan's decider.
/// </summary>
internal sealed class HeartbeatWriter(ServedModels served, ModelRegistry registry, InstanceStatus status, PointerHealth pointerHealth,
    ServiceStats stats, MogFaceMetrics metrics, IOptions<MogFaceOptions> options, TimeProvider time, ILogger<HeartbeatWriter> logger)
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _writes = new(1, 1);

    public InstanceHeartbeat Current()
    {
        var set = served.Current;
        var now = status.Snapshot();
        var error = now.Error ?? pointerHealth.Error;
        var state = now.Stopped ? "stopped"
            : !served.IsReady ? (error is null ? "starting" : "failing")
            : error is null ? "ready" : "degraded";
        return new InstanceHeartbeat
        {
            InstanceId = served.InstanceId,
            Active = set.ActiveVersion,
            Canary = set.CanaryVersion,
            Loaded = set.Versions,
            State = state,
            Provider = set.Active?.Model.Provider,
            LastPoll = now.LastRegistryContact,
            LastError = error,
            PermanentFailure = now.PermanentFailure,
            UpdatedAt = time.GetUtcNow(),
            Traffic = stats.Traffic(options.Value.CanaryWindow),
        };
    }

    /// <summary>
    /// Writes run one at a time and are not abandoned half-way on shutdown (a cancelled PUT can still land after
    /// the next one): so the final "stopped" heartbeat really is the last word. Never throws: a heartbeat that
    /// does not reach storage is only late.
    /// </summary>
    /// <param name="timeout">The most the write may take, waiting for one in flight included (default 10 s).</param>
    public async Task WriteAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        // The write itself is not cancelled by cancellationToken (see above), only bounded by the timeout.
        using var limit = new CancellationTokenSource(timeout ?? WriteTimeout);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            await _writes.WaitAsync(waiting.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var heartbeat = Current();
        try
        {
            await registry.WriteHeartbeatAsync(heartbeat, limit.Token);
            metrics.RecordHeartbeat(written: true, heartbeat.State);
        }
        catch (Exception ex)
        {
            metrics.RecordHeartbeat(written: false, heartbeat.State);
            logger.LogDebug("Heartbeat not written: {Error}", ExceptionText.FirstLine(ex.Message));
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// After the loops end, one last heartbeat says "stopped", so operators tell a replica that scaled in or
    /// restarted from one that hangs (whose heartbeat just ages).
    /// </summary>
    public Task WriteFinalAsync()
    {
        status.Stop();
        return WriteAsync(CancellationToken.None, InstanceHeartbeat.FinalWriteTimeout);
    }
}
