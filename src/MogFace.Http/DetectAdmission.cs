using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;

namespace MogFace.Http;

/// <summary>
/// Admission of detect requests, before any body byte is buffered: at most <see cref="Limit"/> requests hold a
/// permit (reading their body, waiting for a <see cref="DetectionSlots"/> slot, or running), at most
/// <see cref="QueueLimit"/> more wait for one holding only their connection, and the rest are answered 503
/// <c>overloaded</c> at once. Without it nothing bounded how many bodies were buffered at once (issue 12: eight
/// 16 × 20 MB batches took the process to 3 GB); with it body memory is at most Limit × the largest body
/// (docs/operations.md, "Memory ceiling").
/// <para>
/// Requests that declare a small body (Content-Length at most <see cref="SmallRequestBytes"/>, an ordinary photo) are
/// admitted in a lane of their own, <see cref="SmallLimit"/> wide, so that clients uploading 60 MB batches or
/// 30 MB bodies do not make them wait in line (issue 12's soak); that lane's memory is at most
/// <see cref="SmallLimit"/> × twice <see cref="SmallRequestBytes"/>, from the shared array pool.
/// </para>
/// </summary>
public sealed class DetectAdmission : IDisposable
{
    /// <summary>How much wider the small-body lane is than the other.</summary>
    public const int SmallLaneFactor = 4;

    private readonly ConcurrencyLimiter _limiter;
    private readonly ConcurrencyLimiter? _small;

    public DetectAdmission(IOptions<MogFaceOptions> options, DetectionSlots slots)
        : this(options.Value.MaxConcurrentRequests > 0 ? options.Value.MaxConcurrentRequests : 2 * slots.Limit, options.Value.MaxQueuedRequests, options.Value.SmallRequestBytes)
    {
    }

    /// <param name="smallRequestBytes">Bodies up to this size are admitted in the small lane; 0 = one lane for all.</param>
    public DetectAdmission(int limit, int queueLimit, long smallRequestBytes = 0)
    {
        Limit = limit;
        QueueLimit = queueLimit;
        SmallRequestBytes = Math.Max(0, smallRequestBytes);
        _limiter = Lane(limit, queueLimit);
        if (SmallRequestBytes > 0)
            _small = Lane(SmallLimit, queueLimit);
    }

    public int Limit { get; }
    public int QueueLimit { get; }
    public long SmallRequestBytes { get; }

    /// <summary>Requests with a small declared body admitted at once, besides <see cref="Limit"/>; 0 without the lane.</summary>
    public int SmallLimit => SmallRequestBytes > 0 ? SmallLaneFactor * Limit : 0;

    /// <summary>Requests holding a permit now, in both lanes.</summary>
    public long Admitted => Held(_limiter, Limit) + (_small is null ? 0 : Held(_small, SmallLimit));

    /// <summary>Requests refused since start (queue full), in both lanes.</summary>
    public long Refused => (_limiter.GetStatistics()?.TotalFailedLeases ?? 0) + (_small?.GetStatistics()?.TotalFailedLeases ?? 0);

    /// <summary>
    /// Waits for a permit while the queue has room; the lease's <see cref="RateLimitLease.IsAcquired"/> is false
    /// when it had none. Dispose the lease to give the permit back.
    /// </summary>
    /// <param name="declaredLength">The request's Content-Length: a body the server will not read past (Kestrel ends it there).</param>
    public ValueTask<RateLimitLease> EnterAsync(long? declaredLength, CancellationToken cancellationToken) =>
        (_small is not null && declaredLength <= SmallRequestBytes ? _small : _limiter).AcquireAsync(1, cancellationToken);

    private static ConcurrencyLimiter Lane(int limit, int queueLimit) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = limit,
        QueueLimit = queueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private static long Held(ConcurrencyLimiter lane, int limit) => limit - (lane.GetStatistics()?.CurrentAvailablePermits ?? limit);

    /// <summary>What a refused request is told to wait: about one detection, rounded up to the header's second.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public void Dispose()
    {
        _limiter.Dispose();
        _small?.Dispose();
    }
}
