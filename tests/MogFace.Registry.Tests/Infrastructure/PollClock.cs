using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Serving;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// A fake clock that knows which timers are set on it, so a test moves time only once the pollers it drives are
/// waiting for their next poll (a timer within the poll interval's jitter), without any hook in the poller itself.
/// </summary>
internal sealed class PollClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly object _gate = new();
    private readonly List<SetTimer> _timers = new();
    private TaskCompletionSource _timerSet = NewSignal();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SetTimer(base.CreateTimer(callback, state, dueTime, period), GetUtcNow() + dueTime, dueTime);
        lock (_gate)
        {
            _timers.Add(timer);
            _timerSet.TrySetResult();
            _timerSet = NewSignal();
        }
        return timer;
    }

    /// <summary>Completes once at least <paramref name="pollers"/> timers of a poll interval's length (±jitter) are waiting to fire.</summary>
    public async Task WhenPollersWaitAsync(TimeSpan pollInterval, int pollers = 1)
    {
        var shortest = pollInterval * (1 - PollSchedule.Jitter);
        var longest = pollInterval * (1 + PollSchedule.Jitter);
        while (true)
        {
            Task next;
            lock (_gate)
            {
                var now = GetUtcNow();
                _timers.RemoveAll(t => t.Disposed || t.FiresAt <= now);
                if (_timers.Count(t => t.DueTime >= shortest && t.DueTime <= longest) >= pollers)
                    return;
                next = _timerSet.Task;
            }
            await next;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class SetTimer(ITimer inner, DateTimeOffset firesAt, TimeSpan dueTime) : ITimer
    {
        public DateTimeOffset FiresAt => firesAt;
        public TimeSpan DueTime => dueTime;
        public bool Disposed { get; private set; }

        /// <summary>The poll schedule never changes a timer it set; one that is changed no longer counts as waiting.</summary>
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Disposed = true;
            return inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
