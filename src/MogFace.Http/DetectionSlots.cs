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
/// <para>
/// Who gets a freed slot is decided by cost, from the images' headers (their pixels), because first-come-first-served
/// let a few clients sending 6000² JPEGs keep every slot busy while a normal client's p50 went to 3.4× its p50
/// without them (issue 12's soak):
/// <list type="bullet">
/// <item>Small requests (images of at most <c>MogFace:SmallImagePixels</c> together: crops, thumbnails, webcam frames)
/// have a slot kept for them. While small requests keep arriving (one in the last <see cref="ReservationHold"/>), the
/// others hold at most <see cref="LargeLimit"/> slots, one less than the limit; and a freed slot goes to a waiting
/// small request before a larger one. Inference is not pre-empted, so without the kept slot a small photo waits out
/// whatever large image runs. When no small request has come for a while, large ones may use every slot: a service
/// that only receives phone photos keeps all its cores.</item>
/// <item>Within a lane the waiter with the earliest expected finish goes first: its arrival plus its pixels at
/// <see cref="PixelsPerMillisecond"/>. A small photo passes a larger one that arrived shortly before it; one that has
/// waited longer than the difference in cost does not get passed, so nothing waits forever behind smaller work.</item>
/// </list>
/// </para>
/// </summary>
public sealed class DetectionSlots : IDisposable
{
    /// <summary>
    /// The rate that turns pixels into expected time: ~10,000 pixels per millisecond is what YuNet-n costs end to end
    /// on one core of the reference VM (docs/benchmarks.md). It only orders waiters; nothing is timed out by it.
    /// </summary>
    public const long PixelsPerMillisecond = 10_000;

    private readonly Lock _gate = new();
    private readonly SortedSet<Waiter> _small = new(Waiter.ByExpectedFinish);
    private readonly SortedSet<Waiter> _large = new(Waiter.ByExpectedFinish);
    private readonly TimeProvider _time;
    private long _arrivals;
    private long _lastSmallArrival = long.MinValue;
    private int _inUse;
    private int _largeInUse;

    /// <summary>How long after the last small request its slot stays kept.</summary>
    public static readonly TimeSpan ReservationHold = TimeSpan.FromSeconds(1);

    public DetectionSlots(IOptions<MogFaceOptions> options, TimeProvider time)
        : this(options.Value.MaxConcurrentDetections, options.Value.SmallImagePixels, time)
    {
    }

    /// <param name="limit">Slots; 0 or less means one per processor.</param>
    /// <param name="smallImagePixels">Header pixels (together) up to which a request is small and has a slot kept.</param>
    public DetectionSlots(int limit, long smallImagePixels = 1_000_000, TimeProvider? time = null)
    {
        Limit = InferenceThreads.ConcurrentRuns(limit); // the count serving sessions' threads are sized for
        SmallImagePixels = smallImagePixels;
        _time = time ?? TimeProvider.System;
    }

    public int Limit { get; }

    public long SmallImagePixels { get; }

    /// <summary>Slots that larger requests may hold at once while small ones are arriving (with a single slot there is none to keep).</summary>
    public int LargeLimit => Math.Max(1, Limit - 1);

    /// <summary>Slots taken right now.</summary>
    public int InUse
    {
        get
        {
            lock (_gate)
                return _inUse;
        }
    }

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    /// <param name="pixels">The request's images' pixels from their headers, together (0 when unknown): its cost.</param>
    public ValueTask<Slot> EnterAsync(long pixels, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var large = pixels > SmallImagePixels;
        Waiter waiter;
        lock (_gate)
        {
            if (!large)
                _lastSmallArrival = _time.GetTimestamp();
            if (_inUse < Limit && _small.Count == 0 && (!large || (_largeInUse < LargeCap() && _large.Count == 0)))
            {
                Take(large);
                return ValueTask.FromResult(new Slot(this, large));
            }
            var expectedFinish = _time.GetTimestamp() + Math.Max(0, pixels) / PixelsPerMillisecond * _time.TimestampFrequency / 1000;
            waiter = new Waiter(this, large, expectedFinish, ++_arrivals);
            (large ? _large : _small).Add(waiter);
        }
        // Registered outside the lock: a token cancelled meanwhile runs the callback at once, which takes the lock.
        waiter.Cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Abandon(token), waiter);
        return new ValueTask<Slot>(waiter.Granted.Task);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var waiter in _small.Concat(_large))
                waiter.Granted.TrySetCanceled();
            _small.Clear();
            _large.Clear();
        }
    }

    private void Take(bool large)
    {
        _inUse++;
        if (large)
            _largeInUse++;
    }

    private void Leave(bool large)
    {
        List<Waiter> granted = [];
        lock (_gate)
        {
            _inUse--;
            if (large)
                _largeInUse--;
            while (Next() is { } next)
            {
                (next.Large ? _large : _small).Remove(next);
                Take(next.Large);
                granted.Add(next);
            }
        }
        // Completed outside the lock: a continuation never runs while the gate is held.
        foreach (var waiter in granted)
        {
            waiter.Cancellation.Dispose();
            if (!waiter.Granted.TrySetResult(new Slot(this, waiter.Large)))
                Leave(waiter.Large); // defensive: a waiter leaves its set once, granted or cancelled, so this does not happen
        }
    }

    /// <summary>Small requests first; a larger one only where its lane has room.</summary>
    private Waiter? Next()
    {
        if (_inUse >= Limit)
            return null;
        if (_small.Min is { } small)
            return small;
        return _largeInUse < LargeCap() ? _large.Min : null;
    }

    /// <summary>One slot kept while small requests are arriving; all of them when none has come for <see cref="ReservationHold"/>.</summary>
    private int LargeCap() =>
        _lastSmallArrival != long.MinValue && _time.GetElapsedTime(_lastSmallArrival) < ReservationHold ? LargeLimit : Limit;

    private sealed class Waiter(DetectionSlots owner, bool large, long expectedFinish, long arrival)
    {
        public static readonly IComparer<Waiter> ByExpectedFinish = Comparer<Waiter>.Create((a, b) =>
            a.ExpectedFinish != b.ExpectedFinish ? a.ExpectedFinish.CompareTo(b.ExpectedFinish) : a.Arrival.CompareTo(b.Arrival));

        public bool Large { get; } = large;
        public long ExpectedFinish { get; } = expectedFinish;
        public long Arrival { get; } = arrival;
        public CancellationTokenRegistration Cancellation { get; set; }
        public TaskCompletionSource<Slot> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The waiter's token fired: it leaves its queue, unless a slot was already granted to it.</summary>
        public void Abandon(CancellationToken token)
        {
            lock (owner._gate)
            {
                if (!(Large ? owner._large : owner._small).Remove(this))
                    return; // granted (or the slots disposed): nothing to take back
            }
            Granted.TrySetCanceled(token);
        }
    }

    /// <summary>A held slot; disposing it gives the slot back (once).</summary>
    public sealed class Slot : IDisposable
    {
        private DetectionSlots? _owner;
        private readonly bool _large;

        internal Slot(DetectionSlots owner, bool large)
        {
            _owner = owner;
            _large = large;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Leave(_large);
    }
}
