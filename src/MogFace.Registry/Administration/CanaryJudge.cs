using System.Globalization;
using MogFace.Registry.Configuration;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Administration;

/// <summary>
/// The canary plan's decision as a pure function of the pointer, the instances' heartbeats and the clock, so it
/// can be tested without storage and replayed from the recorded figures. One decision at a time: roll back as
/// soon as the canary is outside the margins (with enough requests to judge), advance or promote once the step
/// has dwelt its time within them, hold otherwise.
/// </summary>
internal static class CanaryJudge
{
    public const string Start = "start";
    public const string Advance = "advance";
    public const string Promote = "promote";
    public const string Rollback = "rollback";
    public const string Cancel = "cancel";

    /// <summary>The pointer after the decision, or null to hold (nothing to write).</summary>
    public static PointerDocument? Decide(PointerDocument pointer, IReadOnlyList<InstanceHeartbeat> heartbeats, DateTimeOffset now, MogFaceOptions options)
    {
        if (pointer.Plan is not { IsRunning: true } plan)
            return null;
        if (pointer.Canary?.Version != plan.Version || pointer.Active is null)
            return Finish(pointer, plan, now, CanaryPlan.Cancelled, Cancel, "the canary was changed outside the plan");

        var fresh = heartbeats.Where(h => h.State != "stopped" && h.UpdatedAt >= now - options.CanaryWindow).ToList();
        var canary = Sum(fresh, plan.Version);
        var stable = Sum(fresh, pointer.Active);
        var judged = canary.Requests >= options.CanaryMinRequests;
        if (judged && Breach(canary, stable, options) is { } breach)
        {
            return Finish(pointer with { Canary = null }, plan, now, CanaryPlan.RolledBack, Rollback, breach);
        }
        if (now - plan.StepStartedAt < plan.Dwell || !judged)
            return null;

        var figures = Describe(canary, stable);
        var next = plan.Step + 1;
        if (next >= plan.Steps.Count || plan.Steps[next] >= 100)
        {
            var reason = $"{plan.Dwell} at {plan.Percent} % within the margins ({figures})";
            var promoted = PointerHistory.Activate(pointer with { Canary = null }, plan.Version, reason) ?? pointer with { Canary = null };
            return Finish(promoted, plan, now, CanaryPlan.Promoted, Promote, reason);
        }
        var percent = plan.Steps[next];
        var advanced = plan with
        {
            Step = next,
            StepStartedAt = now,
            Decisions = [.. plan.Decisions, new PlanDecision(now, Advance, percent, $"{plan.Dwell} at {plan.Percent} % within the margins ({figures})")],
        };
        return pointer with
        {
            Canary = new CanarySplit(plan.Version, percent),
            Plan = advanced,
            Reason = $"canary plan {plan.Version}: advance to {percent} %",
        };
    }

    /// <summary>Ends <paramref name="plan"/> in <paramref name="state"/>, recording why.</summary>
    public static PointerDocument Finish(PointerDocument pointer, CanaryPlan plan, DateTimeOffset now, string state, string action, string reason) =>
        pointer with
        {
            Plan = plan with { State = state, Decisions = [.. plan.Decisions, new PlanDecision(now, action, plan.Percent, reason)] },
            Reason = $"canary plan {plan.Version}: {action} ({reason})",
        };

    /// <summary>Why the canary is outside the margins, or null when it is within them.</summary>
    internal static string? Breach(Figures canary, Figures stable, MogFaceOptions options)
    {
        if (canary.ErrorRate > stable.ErrorRate + options.CanaryErrorMargin)
            return $"error rate {Pct(canary.ErrorRate)} over {canary.Requests} canary requests vs {Pct(stable.ErrorRate)} stable (margin {Pct(options.CanaryErrorMargin)})";
        if (canary.P99Ms is { } c && stable.P99Ms is { } s && c > s * (1 + options.CanaryLatencyMargin))
            return $"p99 {Ms(c)} vs {Ms(s)} stable (margin +{Pct(options.CanaryLatencyMargin)})";
        return null;
    }

    private static string Describe(Figures canary, Figures stable) =>
        $"canary {canary.Requests} requests, {Pct(canary.ErrorRate)} errors, p99 {Ms(canary.P99Ms)}; stable {stable.Requests} requests, {Pct(stable.ErrorRate)} errors, p99 {Ms(stable.P99Ms)}";

    /// <summary>
    /// One version's figures over all instances: requests and errors add up; p99 is the worst instance's (p99s
    /// cannot be merged exactly, and the worst one is what the slowest clients see).
    /// </summary>
    internal static Figures Sum(IEnumerable<InstanceHeartbeat> heartbeats, string version)
    {
        var traffic = heartbeats.SelectMany(h => h.Traffic ?? []).Where(t => t.Version == version).ToList();
        var p99 = traffic.Where(t => t.P99Ms is not null).Select(t => t.P99Ms!.Value).DefaultIfEmpty(double.NaN).Max();
        return new Figures(traffic.Sum(t => t.Requests), traffic.Sum(t => t.Errors), double.IsNaN(p99) ? null : p99);
    }

    internal sealed record Figures(long Requests, long Errors, double? P99Ms)
    {
        public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
    }

    private static string Pct(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : "n/a";
}
