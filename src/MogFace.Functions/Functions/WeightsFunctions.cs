using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using MogFace.Core.Lifecycle;

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
/// The one blob-trigger body. Never throws (short of shutdown): a bad model is recorded by ingestion under
/// <c>models/rejected/</c>, and anything else is logged, because a throwing blob trigger is retried and then
/// poisoned, which for weights only repeats the same verdict. Manifests (<c>*.json</c>) are skipped: the
/// ingestion of the matching <c>.onnx</c> reads them.
/// </summary>
public sealed class WeightsTriggerHandler(IWeightsIngestion ingestion, ILogger<WeightsTriggerHandler> logger)
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
            var outcome = await ingestion.IngestBlobAsync(name, cancellationToken);
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
        catch (Exception ex)
        {
            logger.LogError(ex, "Ingesting weights/{Name} failed; not retried by the trigger (re-upload or POST /api/models to try again)", name);
            return null;
        }
    }
}
