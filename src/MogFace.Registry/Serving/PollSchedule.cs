using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;

namespace MogFace.Registry.Serving;

/// <summary>
/// When the pointer is polled next: every poll interval ±20 %, so a fleet started together does not poll in
/// lock-step. Waits on the <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
internal sealed class PollSchedule(IOptions<MogFaceOptions> options, TimeProvider time)
{
    /// <summary>The jitter on each side of the poll interval, as a fraction of it.</summary>
    public const double Jitter = 0.2;

    public TimeSpan NextDelay() =>
        options.Value.PollInterval * (1 - Jitter + 2 * Jitter * Random.Shared.NextDouble());

    /// <summary>Waits for the next poll; false when stopping.</summary>
    public async Task<bool> WaitAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(NextDelay(), time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
