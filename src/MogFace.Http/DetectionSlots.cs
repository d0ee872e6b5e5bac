using Microsoft.Extensions.Options;
using MogFace.Engine.Inference;
using MogFace.Registry.Configuration;

namespace MogFace.Http;

/// <summary>
/// Bounds how many images are decoded and run at once (<c>MogFace:MaxConcurrentDetections</c>, default one
/// per core). Inference is synchronous CPU/GPU work: without a bound, a burst of requests occupies every
/// thread-pool thread (the model watcher's continuations then queue behind them, delaying hot swaps) and
/// holds that many decoded images in memory at once (up to 120 MB each at the 40 MP limit). Waiters wait
/// asynchronously, holding no thread.
/// </summary>
public sealed class DetectionSlots : IDisposable
{
    private readonly SemaphoreSlim _slots;

    public DetectionSlots(IOptions<MogFaceOptions> options)
        : this(options.Value.MaxConcurrentDetections)
    {
    }

    /// <param name="limit">Slots; 0 or less means one per processor.</param>
    public DetectionSlots(int limit)
    {
        Limit = InferenceThreads.ConcurrentRuns(limit); // the count serving sessions' threads are sized for
        _slots = new SemaphoreSlim(Limit, Limit);
    }

    public int Limit { get; }

    /// <summary>Slots taken right now.</summary>
    public int InUse => Limit - _slots.CurrentCount;

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async ValueTask<Slot> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    public readonly struct Slot(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}
