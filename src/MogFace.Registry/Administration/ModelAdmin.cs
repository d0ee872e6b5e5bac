using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Administration;

/// <summary>Operator actions on the registry; every pointer change is a compare-and-swap.</summary>
internal sealed class ModelAdmin(ModelRegistry registry, VersionDeletion deletion, TimeProvider time) : IModelAdmin
{
    public async Task<RegistryView> ListAsync(CancellationToken cancellationToken)
    {
        var pointer = registry.ReadPointerAsync(null, cancellationToken);
        var versions = registry.ListVersionsAsync(cancellationToken);
        var rejected = registry.ListRejectionsAsync(cancellationToken);
        var instances = registry.ListHeartbeatsAsync(cancellationToken);
        await Task.WhenAll(pointer, versions, rejected, instances);
        // A broken pointer is reported beside the rest: the versions are what the operator repairs it with.
        var read = await pointer;
        return new RegistryView(read.Document, await versions, await rejected, await instances)
        {
            PointerError = read.Status == PointerReadStatus.Unreadable ? new PointerUnreadableException(read.Error!).Message : null,
        };
    }

    public async Task<PointerDocument> ActivateAsync(string version, string reason, CancellationToken cancellationToken)
    {
        await RequireVersionAsync(version, cancellationToken);
        return await registry.ActivateAsync(version, string.IsNullOrWhiteSpace(reason) ? $"activate {version}" : reason, cancellationToken);
    }

    public Task<PointerDocument> RollbackAsync(CancellationToken cancellationToken) =>
        registry.UpdatePointerAsync(PointerHistory.Rollback, cancellationToken);

    public async Task<PointerDocument> SetCanaryAsync(string version, int percent, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        await RequireVersionAsync(version, cancellationToken);
        return await registry.UpdatePointerAsync(pointer =>
        {
            RequireCanaryCandidate(pointer, version);
            if (pointer.Canary == new CanarySplit(version, percent) && pointer.Plan is not { IsRunning: true })
                return null;
            return EndPlan(pointer, $"canary set by hand to {version} at {percent}%") with { Canary = new CanarySplit(version, percent), Reason = $"canary {version} at {percent}%" };
        }, cancellationToken, admitting: version);
    }

    public Task<PointerDocument> ClearCanaryAsync(CancellationToken cancellationToken) =>
        registry.UpdatePointerAsync(pointer => pointer.Canary is null
            ? null
            : EndPlan(pointer, "canary ended by hand") with { Canary = null, Reason = $"canary {pointer.Canary.Version} ended" }, cancellationToken);

    public Task<PointerDocument> PromoteCanaryAsync(CancellationToken cancellationToken) =>
        registry.UpdatePointerAsync(pointer =>
        {
            var canary = pointer.Canary ?? throw new InvalidOperationException("No canary is running.");
            var reason = $"promote canary {canary.Version}";
            pointer = EndPlan(pointer, "canary promoted by hand");
            return PointerHistory.Activate(pointer with { Canary = null }, canary.Version, reason)
                ?? pointer with { Canary = null, Reason = reason };
        }, cancellationToken);

    public async Task<PointerDocument> StartPlanAsync(string version, IReadOnlyList<int> steps, TimeSpan dwell, CancellationToken cancellationToken)
    {
        var plannedSteps = CanaryPlanSteps.Validate(steps);
        if (dwell <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(dwell), dwell, "The dwell must be positive.");
        await RequireVersionAsync(version, cancellationToken);
        return await registry.UpdatePointerAsync(pointer =>
        {
            RequireCanaryCandidate(pointer, version);
            var now = time.GetUtcNow();
            var reason = $"plan {string.Join(" → ", plannedSteps)} %, {dwell} per step";
            var plan = new CanaryPlan
            {
                Version = version,
                Steps = plannedSteps,
                Dwell = dwell,
                StepStartedAt = now,
                Decisions = [new PlanDecision(now, CanaryJudge.Start, plannedSteps[0], reason)],
            };
            return EndPlan(pointer, $"replaced by a plan for {version}") with
            {
                Canary = new CanarySplit(version, plannedSteps[0]),
                Plan = plan,
                Reason = $"canary plan {version}: start at {plannedSteps[0]} % ({reason})",
            };
        }, cancellationToken, admitting: version);
    }

    public async Task DeleteAsync(string version, CancellationToken cancellationToken)
    {
        RequireVersionId(version);
        await deletion.DeleteAsync(version, cancellationToken);
    }

    private static void RequireCanaryCandidate(PointerDocument pointer, string version)
    {
        if (pointer.Active is null)
            throw new InvalidOperationException("There is no active version to run a canary against.");
        // A canary of the active version splits nothing: every request would meet the same model.
        if (pointer.Active == version)
            throw new CanaryIsActiveException(version);
    }

    /// <summary>An operator's own canary change ends a running plan (recorded as cancelled), so the decider stops steering.</summary>
    private PointerDocument EndPlan(PointerDocument pointer, string why) =>
        pointer.Plan is { IsRunning: true } plan
            ? CanaryJudge.Finish(pointer, plan, time.GetUtcNow(), CanaryPlan.Cancelled, CanaryJudge.Cancel, why)
            : pointer;

    private async Task RequireVersionAsync(string version, CancellationToken cancellationToken)
    {
        RequireVersionId(version);
        if (await registry.GetVersionAsync(version, cancellationToken) is null)
            throw new VersionNotFoundException(version);
    }

    /// <summary>A version id names one folder under <c>versions/</c>: anything else is no version.</summary>
    private static void RequireVersionId(string version)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Contains('/') || version.Contains('\\'))
            throw new VersionNotFoundException(version);
    }
}
