using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Server;

/// <summary>
/// The server's stand-in for the Functions blob trigger: lists <c>weights/</c> every poll interval and feeds
/// each new <c>.onnx</c> blob to the shared ingestion once. A processed blob is marked with metadata
/// (<c>mogface_ingested=&lt;version&gt;</c> or <c>rejected:&lt;code&gt;</c>), written with If-Match on the
/// ETag that was ingested: restarts skip marked blobs, and a re-upload (which replaces the metadata, and
/// changes the ETag so a mark racing with it fails) is ingested again. Transient failures follow the same
/// <see cref="IngestionRetry"/> decision as the Functions blob trigger: retried in place, then left unmarked.
/// </summary>
internal sealed partial class WeightsContainerScan(
    BlobServiceClient blobService,
    IWeightsIngestion ingestion,
    IngestionRetry retry,
    IOptions<MogFaceOptions> options,
    TimeProvider time,
    ILogger<WeightsContainerScan> logger) : BackgroundService
{
    public const string MarkerKey = "mogface_ingested";
    private const int MaxAttempts = 3;

    private readonly ConcurrentDictionary<(string Name, ETag ETag), int> _attempts = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var container = blobService.GetBlobContainerClient(options.Value.WeightsContainer);
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await ScanOnceAsync(container, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogScanFailed(ex, container.Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over the container; returns how many blobs were ingested (accepted or rejected).</summary>
    internal async Task<int> ScanOnceAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var processed = 0;
        var listed = new HashSet<(string Name, ETag ETag)>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
        {
            if (!item.Name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || item.Metadata.ContainsKey(MarkerKey))
                continue;
            var etag = item.Properties.ETag ?? default;
            var key = (item.Name, etag);
            listed.Add(key);
            if (_attempts.TryGetValue(key, out var attempts) && attempts >= MaxAttempts)
                continue;
            _attempts[key] = attempts + 1;

            var outcome = await retry.IngestBlobAsync(ingestion, item.Name, cancellationToken);
            if (IngestionRetry.IsTransient(outcome))
            {
                // Nothing was recorded: leave the blob unmarked and uncounted, so the next pass ingests it again.
                _attempts.TryRemove(key, out _);
                LogTransient(item.Name, outcome.Reason);
                continue;
            }
            processed++;
            var marker = outcome.Accepted ? outcome.Version! : $"rejected:{outcome.Code}";
            if (outcome.Accepted)
                LogAccepted(item.Name, outcome.Version!);
            else
                LogRejected(item.Name, outcome.Code, outcome.Reason);
            try
            {
                var metadata = new Dictionary<string, string>(item.Metadata) { [MarkerKey] = marker };
                await container.GetBlobClient(item.Name).SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = etag }, cancellationToken);
                _attempts.TryRemove(key, out _);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                LogChangedDuringIngestion(item.Name);
            }
            catch (RequestFailedException ex)
            {
                // A name storage refuses (e.g. "../escape.onnx") must not stop the scan of the other blobs.
                LogNotMarked(ex, item.Name);
            }
        }
        // Bounded by the container: a blob deleted, replaced (new ETag) or marked since is not counted any longer.
        foreach (var gone in _attempts.Keys.Where(k => !listed.Contains(k)))
            _attempts.TryRemove(gone, out _);
        return processed;
    }

    /// <summary>How many (blob, ETag) attempt counts are kept (tests check the bound).</summary>
    internal int TrackedBlobs => _attempts.Count;

    [LoggerMessage(Level = LogLevel.Information, Message = "weights/{Name} → version {Version}")]
    private partial void LogAccepted(string name, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "weights/{Name} rejected ({Code}): {Reason}")]
    private partial void LogRejected(string name, string? code, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "weights/{Name} could not be ingested yet ({Reason}); the next scan tries again")]
    private partial void LogTransient(string name, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "weights/{Name} changed or vanished while it was ingested; the next scan looks again")]
    private partial void LogChangedDuringIngestion(string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "weights/{Name} could not be marked; the scan goes on with the other blobs")]
    private partial void LogNotMarked(Exception ex, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scanning container {Container} failed; retrying next interval")]
    private partial void LogScanFailed(Exception ex, string container);
}
