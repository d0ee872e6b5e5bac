using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>Awaitable observations of a reconciler and a host: tests wait on these, never on sleeps.</summary>
internal static class ReconcilerSteps
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Completes with the outcome (storage answered?) of the next poll.</summary>
    public static Task<bool> NextPollAsync(this ModelReconciler reconciler)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPoll(bool ok)
        {
            reconciler.PollCompleted -= OnPoll;
            done.TrySetResult(ok);
        }
        reconciler.PollCompleted += OnPoll;
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>Completes with the next failed apply attempt.</summary>
    public static Task<Exception> NextApplyFailureAsync(this ModelReconciler reconciler)
    {
        var done = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFailure(Exception ex)
        {
            reconciler.ApplyFailed -= OnFailure;
            done.TrySetResult(ex);
        }
        reconciler.ApplyFailed += OnFailure;
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>Completes when a heartbeat satisfying <paramref name="condition"/> has been written.</summary>
    public static Task<InstanceHeartbeat> HeartbeatAsync(this ModelReconciler reconciler, Func<InstanceHeartbeat, bool> condition)
    {
        var done = new TaskCompletionSource<InstanceHeartbeat>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnHeartbeat(InstanceHeartbeat h)
        {
            if (!condition(h))
                return;
            reconciler.HeartbeatWritten -= OnHeartbeat;
            done.TrySetResult(h);
        }
        reconciler.HeartbeatWritten += OnHeartbeat;
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>With a fake clock: waits until the poller's timer is set, then moves time past the longest jittered interval.</summary>
    public static async Task<bool> PollNowAsync(this ModelReconciler reconciler, FakeTimeProvider time, TimeSpan pollInterval)
    {
        await reconciler.WhenParkedAsync().WaitAsync(Timeout);
        var polled = reconciler.NextPollAsync();
        time.Advance(pollInterval * 1.21);
        return await polled;
    }

    public static Task ServesAsync(this ServedModels host, string? active, string? canary = null) =>
        host.WaitForAsync(s => s.ActiveVersion == active && s.CanaryVersion == canary, CancellationToken.None).WaitAsync(Timeout);
}
