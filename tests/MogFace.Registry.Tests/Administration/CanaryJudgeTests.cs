using MogFace.Registry.Administration;
using MogFace.Registry.Configuration;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Administration;

/// <summary>
/// The canary plan's decision rules on fixed heartbeat figures (no storage, no models): when it holds, advances,
/// promotes, rolls back on errors or on p99, which heartbeats count, and what it records.
/// </summary>
public sealed class CanaryJudgeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Dwell = TimeSpan.FromMinutes(2);
    private static readonly MogFaceOptions Options = new()
    {
        CanaryMinRequests = 50, CanaryErrorMargin = 0.01, CanaryLatencyMargin = 0.5, CanaryWindow = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void It_holds_before_the_dwell_and_without_enough_canary_requests()
    {
        var healthy = Traffic(canary: (100, 0, 20), stable: (1000, 0, 20));
        Assert.Null(CanaryJudge.Decide(Pointer(step: 0), healthy, T0 + Dwell - TimeSpan.FromSeconds(1), Options));

        var few = Traffic(canary: (49, 0, 20), stable: (1000, 0, 20));
        Assert.Null(CanaryJudge.Decide(Pointer(step: 0), few, T0 + Dwell * 3, Options));
    }

    [Fact]
    public void After_the_dwell_within_the_margins_it_advances_to_the_next_step_and_records_the_figures()
    {
        var next = CanaryJudge.Decide(Pointer(step: 0), Traffic(canary: (100, 1, 25), stable: (1000, 5, 20)), T0 + Dwell, Options)!;

        Assert.Equal(new CanarySplit("v2", 25), next.Canary);
        Assert.Equal("v1", next.Active);
        Assert.Equal((1, T0 + Dwell, CanaryPlan.Running), (next.Plan!.Step, next.Plan.StepStartedAt, next.Plan.State));
        var decision = next.Plan.Decisions[^1];
        Assert.Equal((CanaryJudge.Advance, 25), (decision.Action, decision.Percent));
        Assert.Contains("canary 100 requests, 1.0 % errors, p99 25.0 ms", decision.Reason);
        Assert.Contains("advance to 25 %", next.Reason);
    }

    [Fact]
    public void After_the_last_step_below_100_it_promotes_the_canary()
    {
        var next = CanaryJudge.Decide(Pointer(step: 2), Traffic(canary: (500, 0, 20), stable: (500, 0, 20)), T0 + Dwell, Options)!;

        Assert.Equal("v2", next.Active);
        Assert.Null(next.Canary);
        Assert.Equal(["v1"], next.Previous);
        Assert.Equal((CanaryPlan.Promoted, CanaryJudge.Promote), (next.Plan!.State, next.Plan.Decisions[^1].Action));
    }

    [Fact]
    public void An_error_rate_over_the_margin_rolls_back_at_once_without_waiting_for_the_dwell()
    {
        var next = CanaryJudge.Decide(Pointer(step: 1), Traffic(canary: (100, 3, 20), stable: (1000, 10, 20)), T0 + TimeSpan.FromSeconds(10), Options)!;

        Assert.Equal("v1", next.Active);
        Assert.Null(next.Canary);
        var decision = next.Plan!.Decisions[^1];
        Assert.Equal((CanaryPlan.RolledBack, CanaryJudge.Rollback, 25), (next.Plan.State, decision.Action, decision.Percent));
        Assert.Equal("error rate 3.0 % over 100 canary requests vs 1.0 % stable (margin 1.0 %)", decision.Reason);
    }

    [Fact]
    public void A_p99_over_the_margin_rolls_back_and_one_within_it_does_not()
    {
        var slow = CanaryJudge.Decide(Pointer(step: 0), Traffic(canary: (100, 0, 31), stable: (1000, 0, 20)), T0 + Dwell, Options)!;
        Assert.Equal(CanaryPlan.RolledBack, slow.Plan!.State);
        Assert.Equal("p99 31.0 ms vs 20.0 ms stable (margin +50.0 %)", slow.Plan.Decisions[^1].Reason);

        var within = CanaryJudge.Decide(Pointer(step: 0), Traffic(canary: (100, 0, 29), stable: (1000, 0, 20)), T0 + Dwell, Options)!;
        Assert.Equal(CanaryPlan.Running, within.Plan!.State);
    }

    [Fact]
    public void Figures_add_up_over_instances_and_stale_or_stopped_heartbeats_do_not_count()
    {
        InstanceHeartbeat Beat(string id, DateTimeOffset at, string state, long canaryRequests, long canaryErrors, double p99) => new()
        {
            InstanceId = id, State = state, UpdatedAt = at,
            Traffic = [new VersionTraffic("v2", canaryRequests, canaryErrors, p99), new VersionTraffic("v1", 500, 0, 20)],
        };
        var now = T0 + Dwell;
        var beats = new[]
        {
            Beat("a", now, "ready", 30, 0, 20),
            Beat("b", now, "ready", 30, 0, 25),
            Beat("stale", now - TimeSpan.FromMinutes(6), "ready", 100, 100, 500),
            Beat("gone", now, "stopped", 100, 100, 500),
        };

        var next = CanaryJudge.Decide(Pointer(step: 0), beats, now, Options)!;

        Assert.Equal(CanaryPlan.Running, next.Plan!.State); // 60 requests from a and b; the failing ones do not count
        Assert.Contains("canary 60 requests, 0.0 % errors, p99 25.0 ms", next.Plan.Decisions[^1].Reason); // p99: the worst instance
    }

    [Fact]
    public void A_plan_whose_canary_was_changed_by_hand_is_recorded_as_cancelled_and_a_finished_one_is_left_alone()
    {
        var changed = Pointer(step: 0) with { Canary = new CanarySplit("v3", 10) };
        var next = CanaryJudge.Decide(changed, [], T0, Options)!;
        Assert.Equal((CanaryPlan.Cancelled, CanaryJudge.Cancel), (next.Plan!.State, next.Plan.Decisions[^1].Action));
        Assert.Equal(new CanarySplit("v3", 10), next.Canary);

        Assert.Null(CanaryJudge.Decide(next, [], T0 + Dwell, Options));
    }

    [Theory]
    [InlineData(new[] { 5, 25, 50 }, new[] { 5, 25, 50, 100 })]
    [InlineData(new[] { 10, 100 }, new[] { 10, 100 })]
    public void Steps_end_with_the_promotion(int[] steps, int[] expected) => Assert.Equal(expected, CanaryPlanSteps.Validate(steps));

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 100 })]
    [InlineData(new[] { 25, 5 })]
    [InlineData(new[] { 5, 5, 50 })]
    [InlineData(new[] { 0, 50 })]
    [InlineData(new[] { 5, 101 })]
    public void Steps_that_break_a_rule_are_refused(int[] steps) => Assert.Throws<ArgumentException>(() => CanaryPlanSteps.Validate(steps));

    private static PointerDocument Pointer(int step)
    {
        int[] steps = [5, 25, 50, 100];
        return new PointerDocument
        {
            Active = "v1",
            Canary = new CanarySplit("v2", steps[step]),
            Plan = new CanaryPlan
            {
                Version = "v2", Steps = steps, Dwell = Dwell, Step = step, StepStartedAt = T0,
                Decisions = [new PlanDecision(T0, CanaryJudge.Start, 5, "plan")],
            },
        };
    }

    private static InstanceHeartbeat[] Traffic((long Requests, long Errors, double P99) canary, (long Requests, long Errors, double P99) stable) =>
    [
        new()
        {
            InstanceId = "a", State = "ready", UpdatedAt = T0 + Dwell,
            Traffic = [new VersionTraffic("v2", canary.Requests, canary.Errors, canary.P99), new VersionTraffic("v1", stable.Requests, stable.Errors, stable.P99)],
        },
    ];
}
