using Microsoft.Extensions.DependencyInjection;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// Awaitable observations of an instance's lifecycle, read from what it reports — its metrics, its heartbeat, its
/// served set — and from the clock: tests wait on these, never on sleeps.
/// </summary>
internal static class ReconcilerSteps
{
    public static readonly TimeSpan Timeout = InstanceMeter.Timeout;

    /// <summary>Completes with the outcome (storage answered?) of the next poll.</summary>
    public static async Task<bool> NextPollAsync(this LifecycleInstance instance)
    {
        var poll = await instance.Meter.NextAsync("mogface.registry.polls");
        return (string?)poll["outcome"] == "answered";
    }

    /// <summary>Completes with the next failed apply attempt, as the swap-failure metric tags it.</summary>
    public static async Task<SwapFailure> NextApplyFailureAsync(this LifecycleInstance instance)
    {
        var failure = await instance.Meter.NextAsync("mogface.model.swap_failures");
        return new SwapFailure((string)failure["reason"]!, (bool)failure["permanent"]!);
    }

    /// <summary>Completes when a heartbeat satisfying <paramref name="condition"/> has been written.</summary>
    public static async Task<InstanceHeartbeat> HeartbeatAsync(this LifecycleInstance instance, Func<InstanceHeartbeat, bool> condition)
    {
        var writer = instance.Services.GetRequiredService<HeartbeatWriter>();
        InstanceHeartbeat? seen = null;
        await instance.Meter.NextAsync("mogface.instance.heartbeats", tags =>
        {
            if ((string?)tags["outcome"] != "written")
                return false;
            var heartbeat = writer.Current(); // read on the writer's thread, right after the write
            if (!condition(heartbeat))
                return false;
            seen = heartbeat;
            return true;
        });
        return seen!;
    }

    /// <summary>With a fake clock: waits until the poller's timer is set, then moves time past the longest jittered interval.</summary>
    public static async Task<bool> PollNowAsync(this LifecycleInstance instance, PollClock time, TimeSpan pollInterval)
    {
        await time.WhenPollersWaitAsync(pollInterval).WaitAsync(Timeout);
        var polled = instance.NextPollAsync();
        time.Advance(pollInterval * (1 + PollSchedule.Jitter + 0.01));
        return await polled;
    }

    public static Task ServesAsync(this ServedModels host, string? active, string? canary = null) =>
        host.WaitForAsync(s => s.ActiveVersion == active && s.CanaryVersion == canary, CancellationToken.None).WaitAsync(Timeout);
}

/// <summary>A failed attempt to load and swap, as <c>mogface.model.swap_failures</c> reports it.</summary>
/// <param name="Reason">The exception type that failed the load (for a permanent failure, the cause's).</param>
internal sealed record SwapFailure(string Reason, bool Permanent);
