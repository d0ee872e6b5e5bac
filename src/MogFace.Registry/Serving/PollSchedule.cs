using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;

namespace MogFace.Registry.Serving;

/// <summary>
/// When the pointer is polled next: every poll interval ±20 %, so a fleet started together does not poll in
/// lock-step. Waits on the <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
internal sealed class PollSchedule(IOptions<MogFaceOptions> options, TimeProvider time)
{
    private const double Jitter = 0.2;
    private readonly object _gate = new();
    private TaskCompletionSource _waiting = NewSignal();
    private bool _isWaiting;

    public TimeSpan NextDelay() =>
        options.Value.PollInterval * (1 - Jitter + 2 * Jitter * Random.Shared.NextDouble());

    /// <summary>Waits for the next poll; false when stopping.</summary>
    public async Task<bool> WaitAsync(CancellationToken stoppingToken)
    {
        // Task.Delay registers its timer synchronously, so "waiting" is only signalled once the timer exists.
        var wait = Task.Delay(NextDelay(), time, stoppingToken);
        lock (_gate)
        {
            _isWaiting = true;
            _waiting.TrySetResult();
        }
        try
        {
            await wait;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _isWaiting = false;
                _waiting = NewSignal();
            }
        }
    }

    /// <summary>
    /// Completes when the poller waits for its next poll with its timer registered (at once if it does now), so a
    /// test can advance a fake clock knowing the poll will fire.
    /// </summary>
    public Task WhenWaitingAsync()
    {
        lock (_gate)
            return _isWaiting ? Task.CompletedTask : _waiting.Task;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
