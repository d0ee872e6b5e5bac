using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using MogFace.Registry.Configuration;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion;

/// <summary>
/// The one retry decision for an ingestion, shared by the Functions blob trigger and the server's container scan:
/// a transient outcome (storage could not be read or written, so nothing was recorded) is retried with jittered
/// exponential backoff; a permanent one (a recorded rejection, or an accepted version) is final and never retried.
/// When the retries run out the outcome is still transient: the trigger then throws so the host retries the blob
/// later, and the scan leaves the blob unmarked for its next pass; either way the upload is not lost.
/// </summary>
public sealed class IngestionRetry
{
    private readonly ResiliencePipeline<IngestionOutcome> _pipeline;

    public IngestionRetry(IOptions<MogFaceOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _pipeline = new ResiliencePipelineBuilder<IngestionOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<IngestionOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } outcome && IsTransient(outcome)),
                MaxRetryAttempts = o.IngestionRetries,
                Delay = o.IngestionRetryDelay,
                MaxDelay = o.IngestionRetryDelay * 16,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
    }

    /// <summary>Storage failed and nothing was recorded: trying again later can succeed.</summary>
    public static bool IsTransient(IngestionOutcome outcome) => outcome.Code == RejectionCodes.StorageUnavailable;

    /// <summary>Ingests <paramref name="blobName"/>, retrying while the outcome is transient.</summary>
    public async Task<IngestionOutcome> IngestBlobAsync(IWeightsIngestion ingestion, string blobName, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(
            static async (state, token) => await state.ingestion.IngestBlobAsync(state.blobName, token),
            (ingestion, blobName), cancellationToken);
}
