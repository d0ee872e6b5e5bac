using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Functions.Functions;

/// <summary>
/// New weights in <c>weights/{name}</c> → the shared ingestion. Two triggers over one handler because no
/// single blob-trigger source works everywhere: the polling source is the only one Azurite can drive (it
/// has no Event Grid), and only the Event Grid source wakes a Container Apps app scaled to zero. Each
/// environment disables one with <c>AzureWebJobs.&lt;Function&gt;.Disabled</c>: local.settings disables
/// <c>IngestWeightsEventGrid</c>, the Azure app settings disable <c>IngestWeightsBlob</c>.
/// </summary>
public sealed class WeightsFunctions(WeightsTriggerHandler handler)
{
    [Function("IngestWeightsBlob")]
    public Task IngestPolled(
        [BlobTrigger("weights/{name}", Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(name, cancellationToken);

    [Function("IngestWeightsEventGrid")]
    public Task IngestFromEventGrid(
        [BlobTrigger("weights/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(name, cancellationToken);
}

/// <summary>
/// The one blob-trigger body. A bad model never throws: ingestion records it under <c>models/rejected/</c>, and
/// retrying would only repeat the same verdict (no poison loop). A transient failure (storage unavailable, so
/// nothing was recorded) is retried in place by <see cref="IngestionRetry"/> (the same decision as the server's
/// container scan); if storage is still down after that, the trigger throws and the Functions host retries the
/// blob (host.json <c>poisonBlobThreshold</c> 5), so an upload is not lost to a storage blip. Manifests
/// (<c>*.json</c>) are skipped: the ingestion of the matching <c>.onnx</c> reads them.
/// </summary>
public sealed class WeightsTriggerHandler(IWeightsIngestion ingestion, IngestionRetry retry, ILogger<WeightsTriggerHandler> logger)
{
    public async Task<IngestionOutcome?> HandleAsync(string name, CancellationToken cancellationToken)
    {
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogInformation("weights/{Name} is a manifest: read when its model is ingested", name);
            return null;
        }
        if (!name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("weights/{Name} is neither .onnx nor .json: ignored", name);
            return null;
        }
        try
        {
            var outcome = await retry.IngestBlobAsync(ingestion, name, cancellationToken);
            if (IngestionRetry.IsTransient(outcome))
                throw new StorageUnavailableException($"weights/{name} could not be registered: {outcome.Reason}");
            if (outcome.Accepted)
                logger.LogInformation("weights/{Name} → version {Version}{Already}", name, outcome.Version, outcome.AlreadyRegistered ? " (already registered)" : "");
            else
                logger.LogWarning("weights/{Name} rejected ({Code}): {Reason}", name, outcome.Code, outcome.Reason);
            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StorageUnavailableException ex)
        {
            logger.LogWarning("{Message}; the host retries the blob", ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Ingesting weights/{Name} failed; not retried by the trigger (re-upload or POST /api/models to try again)", name);
            return null;
        }
    }
}

/// <summary>Thrown to make the Functions host retry a blob whose ingestion could not reach the registry.</summary>
public sealed class StorageUnavailableException(string message) : Exception(message);
