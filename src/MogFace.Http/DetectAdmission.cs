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
/// </summary>
public sealed class DetectAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public DetectAdmission(IOptions<MogFaceOptions> options, DetectionSlots slots)
        : this(options.Value.MaxConcurrentRequests > 0 ? options.Value.MaxConcurrentRequests : 2 * slots.Limit, options.Value.MaxQueuedRequests)
    {
    }

    public DetectAdmission(int limit, int queueLimit)
    {
        Limit = limit;
        QueueLimit = queueLimit;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limit,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public int Limit { get; }
    public int QueueLimit { get; }

    /// <summary>Requests holding a permit now.</summary>
    public long Admitted => Limit - (_limiter.GetStatistics()?.CurrentAvailablePermits ?? Limit);

    /// <summary>Requests refused since start (queue full).</summary>
    public long Refused => _limiter.GetStatistics()?.TotalFailedLeases ?? 0;

    /// <summary>
    /// Waits for a permit while the queue has room; the lease's <see cref="RateLimitLease.IsAcquired"/> is false
    /// when it had none. Dispose the lease to give the permit back.
    /// </summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    /// <summary>What a refused request is told to wait: about one detection, rounded up to the header's second.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public void Dispose() => _limiter.Dispose();
}
