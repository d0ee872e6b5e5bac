using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MogFace.Engine;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion;

/// <summary>Uploads sent with <c>POST /api/models?async=true</c>: answered at once, validated in the background.</summary>
public interface IAsyncUploads
{
    /// <summary>
    /// Records the upload as <c>validating</c> and queues its ingestion. Takes ownership of
    /// <paramref name="content"/> once it returns (disposed when ingestion ends); throws, leaving it with the
    /// caller, when the status cannot be recorded.
    /// </summary>
    Task<UploadStatus> StartAsync(string blobName, Stream content, CancellationToken cancellationToken);

    /// <summary>The recorded status, from any instance; null for an unknown id.</summary>
    Task<UploadStatus?> GetAsync(string id, CancellationToken cancellationToken);
}

/// <summary>Thrown by <see cref="IAsyncUploads.StartAsync"/> when the instance holds <see cref="AsyncUploads.MaxPending"/> uploads already (answered 503 <c>overloaded</c>).</summary>
public sealed class UploadQueueFullException(string message) : Exception(message);

/// <summary>
/// One queue per instance, drained one upload at a time by a hosted service (ingestion validates one model at a
/// time anyway). The status lives in the registry, not in memory, so a status request answered by another
/// replica sees it too. An instance stopped mid-validation leaves its uploads <c>validating</c> (their
/// <c>updatedAt</c> then ages): send them again.
/// </summary>
internal sealed class AsyncUploads(ModelRegistry registry, IWeightsIngestion ingestion, IModelProvider models, TimeProvider time, ILogger<AsyncUploads> logger)
    : BackgroundService, IAsyncUploads
{
    private sealed record Job(UploadStatus Status, string BlobName, Stream Content);

    /// <summary>
    /// Uploads one instance holds at once, the one validating included: each holds its temporary file (up to
    /// MaxModelBytes of disk) until its turn, so the queue is bounded and the next upload is answered 503.
    /// </summary>
    public const int MaxPending = 4;

    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private int _pending;

    /// <summary>Uploads queued or validating now.</summary>
    internal int Pending => Volatile.Read(ref _pending);

    public async Task<UploadStatus> StartAsync(string blobName, Stream content, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _pending) > MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            throw new UploadQueueFullException($"This instance already holds {MaxPending} asynchronous uploads; retry when one has finished.");
        }
        try
        {
            return await EnqueueAsync(blobName, content, cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    private async Task<UploadStatus> EnqueueAsync(string blobName, Stream content, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = new UploadStatus
        {
            Id = Guid.NewGuid().ToString("N"),
            Name = ModelVersion.SafeName(blobName),
            State = UploadStatus.Validating,
            Instance = models.InstanceId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await registry.WriteUploadAsync(status, cancellationToken);
        if (!_queue.Writer.TryWrite(new Job(status, blobName, content)))
            throw new InvalidOperationException("This instance is stopping; send the upload again.");
        return status;
    }

    public Task<UploadStatus?> GetAsync(string id, CancellationToken cancellationToken) =>
        IsId(id) ? registry.GetUploadAsync(id, cancellationToken) : Task.FromResult<UploadStatus?>(null);

    /// <summary>Ids are 32 lowercase hex digits: anything else cannot name a blob of ours.</summary>
    private static bool IsId(string id) => id.Length == 32 && id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using (job.Content)
                        await RunAsync(job, stoppingToken);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
                await left.Content.DisposeAsync();
        }
    }

    private async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        UploadStatus done;
        try
        {
            var outcome = await ingestion.IngestAsync(job.BlobName, job.Content, manifest: null, stoppingToken);
            done = job.Status with
            {
                Name = outcome.Name,
                State = outcome.Accepted ? UploadStatus.Accepted
                    : outcome.Code == RejectionCodes.StorageUnavailable ? UploadStatus.Failed
                    : UploadStatus.Rejected,
                Version = outcome.Version,
                AlreadyRegistered = outcome.Accepted ? outcome.AlreadyRegistered : null,
                Code = outcome.Code,
                Reason = outcome.Reason,
                UpdatedAt = time.GetUtcNow(),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Asynchronous upload {Id} ({Name}) failed", job.Status.Id, job.Status.Name);
            done = job.Status with { State = UploadStatus.Failed, Code = "ingestion-failed", Reason = ex.Message, UpdatedAt = time.GetUtcNow() };
        }
        try
        {
            await registry.WriteUploadAsync(done, stoppingToken);
            logger.LogInformation("Asynchronous upload {Id} ({Name}): {State} {Version}{Reason}", done.Id, done.Name, done.State, done.Version, done.Reason);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The ingestion itself is recorded (version or rejection); only its status document is stale.
            logger.LogWarning(ex, "The status of asynchronous upload {Id} could not be written; it still says validating", done.Id);
        }
    }
}
