using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Administration;

/// <summary>
/// One look at the canary plan: read the pointer (and its ETag), read the heartbeats, let <see cref="CanaryJudge"/>
/// decide, and write the result only If-Match that ETag. Every server instance and every Functions timer may run
/// this at the same moment; the first write wins and the others find the ETag changed and do nothing (they do
/// not re-read and re-apply: the winner's decision already took the plan a step on).
/// </summary>
internal sealed class CanaryPlanDecider(ModelRegistry registry, IOptions<MogFaceOptions> options, TimeProvider time, MogFaceMetrics metrics, ILogger<CanaryPlanDecider> logger)
    : ICanaryPlanDecider
{
    public async Task<PlanDecision?> DecideOnceAsync(CancellationToken cancellationToken)
    {
        var read = await registry.ReadPointerAsync(null, cancellationToken);
        if (read is not { Status: PointerReadStatus.Changed, Document.Plan.IsRunning: true, ETag: { } etag })
            return null;
        var heartbeats = await registry.ListHeartbeatsAsync(cancellationToken);
        var next = CanaryJudge.Decide(read.Document, heartbeats, time.GetUtcNow(), options.Value);
        if (next is null)
            return null;
        if (!await registry.TryReplacePointerAsync(etag, next, cancellationToken))
        {
            logger.LogInformation("Canary plan: the pointer changed while deciding; another decider or an operator acted first");
            return null;
        }
        var decision = next.Plan!.Decisions[^1];
        metrics.RecordCanaryDecision(next.Plan.Version, decision.Action);
        logger.LogWarning("Canary plan {Version}: {Action} at {Percent} % ({Reason})", next.Plan.Version, decision.Action, decision.Percent, decision.Reason);
        return decision;
    }
}

/// <summary>The canary plan's decision step, run by the server's <see cref="CanaryPlanService"/> and the Functions app's timer.</summary>
public interface ICanaryPlanDecider
{
    /// <summary>The decision this call recorded, or null (no running plan, hold, or another decider won the race).</summary>
    Task<PlanDecision?> DecideOnceAsync(CancellationToken cancellationToken);
}
