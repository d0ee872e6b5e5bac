using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>Awaitable observations of a watcher and a host: tests wait on these, never on sleeps.</summary>
internal static class WatcherSteps
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Completes with the outcome (storage answered?) of the next poll.</summary>
    public static Task<bool> NextPollAsync(this ModelWatcher watcher)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPoll(bool ok)
        {
            watcher.PollCompleted -= OnPoll;
            done.TrySetResult(ok);
        }
        watcher.PollCompleted += OnPoll;
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>Completes with the next failed apply attempt.</summary>
    public static Task<Exception> NextApplyFailureAsync(this ModelWatcher watcher)
    {
        var done = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFailure(Exception ex)
        {
            watcher.ApplyFailed -= OnFailure;
            done.TrySetResult(ex);
        }
        watcher.ApplyFailed += OnFailure;
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>Completes when a heartbeat satisfying <paramref name="condition"/> has been written.</summary>
    public static Task<InstanceHeartbeat> HeartbeatAsync(this ModelWatcher watcher, Func<InstanceHeartbeat, bool> condition)
    {
        var done = new TaskCompletionSource<InstanceHeartbeat>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnHeartbeat(InstanceHeartbeat h)
        {
            if (!condition(h))
                return;
            watcher.HeartbeatWritten -= OnHeartbeat;
            done.TrySetResult(h);
        }
        watcher.HeartbeatWritten += OnHeartbeat;
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>With a fake clock: waits until the poller's timer is set, then moves time past the longest jittered interval.</summary>
    public static async Task<bool> PollNowAsync(this ModelWatcher watcher, FakeTimeProvider time, TimeSpan pollInterval)
    {
        await watcher.WhenParkedAsync().WaitAsync(Timeout);
        var polled = watcher.NextPollAsync();
        time.Advance(pollInterval * 1.21);
        return await polled;
    }

    public static Task ServesAsync(this ModelHost host, string? active, string? canary = null) =>
        host.WaitForAsync(s => s.ActiveVersion == active && s.CanaryVersion == canary, CancellationToken.None).WaitAsync(Timeout);
}
