using System.Globalization;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Engine;
using MogFace.Engine.Families;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Ingestion;

/// <summary>
/// Turns uploaded weights into an immutable, validated version and makes it active (system.md, "The weights
/// path", steps 2–3). Idempotent: the same bytes under the same name give the same version id and nothing is
/// written twice; registration and activation are one operation, completed by a retry when the first attempt
/// stopped between them (a version without its <c>activated</c> record). A bad model never throws (the blob trigger must not loop through the poison queue): it is
/// recorded under <c>models/rejected/</c> and the pointer is left alone. Validations run in the bounded,
/// time-limited <see cref="ValidationWorker"/> (each loads a model on CPU); pointer updates are compare-and-swap, so concurrent uploads are all kept.
/// </summary>
internal sealed class WeightsIngestion(
    ModelRegistry registry,
    ValidationWorker validator,
    IOptions<MogFaceOptions> options,
    TimeProvider time,
    MogFaceMetrics metrics,
    ILogger<WeightsIngestion> logger) : IWeightsIngestion
{
    public async Task<IngestionOutcome> IngestBlobAsync(string blobName, CancellationToken cancellationToken)
    {
        var name = ModelVersion.SafeName(blobName);
        if (blobName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            // A manifest: it is read when its model arrives (upload the manifest first).
            return IngestionOutcome.Reject(name, RejectionCodes.NotAModel, $"weights/{blobName} is a manifest, not a model; nothing to ingest.");
        }
        try
        {
            var size = await registry.GetWeightsSizeAsync(blobName, cancellationToken);
            if (size is null)
                return IngestionOutcome.Reject(name, RejectionCodes.NotFound, $"weights/{blobName} does not exist.");
            if (size > options.Value.MaxModelBytes)
                return await RejectAsync(name, blobName, RejectionCodes.TooLarge, TooLargeReason(size.Value), null, size.Value, cancellationToken);

            ModelManifest? manifest = null;
            var manifestBlob = Path.ChangeExtension(blobName, ".json");
            if (!string.Equals(manifestBlob, blobName, StringComparison.Ordinal)
                && await registry.ReadWeightsTextAsync(manifestBlob, cancellationToken) is { } json)
            {
                try
                {
                    manifest = ModelManifest.Parse(json);
                }
                catch (JsonException ex)
                {
                    return await RejectAsync(name, blobName, RejectionCodes.BadManifest,
                        $"weights/{manifestBlob} is not a valid manifest: {ex.Message}", null, size.Value, cancellationToken);
                }
            }
            await using var content = await registry.OpenWeightsAsync(blobName, cancellationToken);
            return await IngestAsync(blobName, content, manifest, cancellationToken);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            return StorageUnavailable(name, ex);
        }
    }

    public Task<IngestionOutcome> RecordRefusalAsync(string blobName, string code, string reason, long size, CancellationToken cancellationToken) =>
        RejectAsync(ModelVersion.SafeName(blobName), blobName, code, reason, null, size, cancellationToken);

    public async Task<IngestionOutcome> IngestAsync(string blobName, Stream content, ModelManifest? manifest, CancellationToken cancellationToken)
    {
        using var activity = MogFaceTracing.Source.StartActivity(MogFaceTracing.IngestSpan);
        activity?.SetTag(MogFaceTracing.WeightsBlob, blobName);
        var outcome = await IngestCoreAsync(blobName, content, manifest, cancellationToken);
        activity?.SetTag(MogFaceTracing.ModelVersion, outcome.Version)
            .SetTag(MogFaceTracing.Outcome, outcome.Accepted ? "accepted" : outcome.Code);
        return outcome;
    }

    private async Task<IngestionOutcome> IngestCoreAsync(string blobName, Stream content, ModelManifest? manifest, CancellationToken cancellationToken)
    {
        var name = ModelVersion.SafeName(blobName);
        try
        {
            var bytes = await ReadCappedAsync(content, options.Value.MaxModelBytes, cancellationToken);
            if (bytes is null)
            {
                var size = content.CanSeek ? content.Length : options.Value.MaxModelBytes + 1;
                return await RejectAsync(name, blobName, RejectionCodes.TooLarge, TooLargeReason(size), null, size, cancellationToken);
            }
            if (bytes.Length == 0)
                return await RejectAsync(name, blobName, RejectionCodes.Empty, "The upload is empty (0 bytes).", null, 0, cancellationToken);
            if (manifest?.Gate is { } gate && gate is not (ModelManifest.GateEnforce or ModelManifest.GateWarn))
            {
                return await RejectAsync(name, blobName, RejectionCodes.BadManifest,
                    $"The manifest's \"gate\" is '{gate}'; it must be \"{ModelManifest.GateEnforce}\" or \"{ModelManifest.GateWarn}\".", null, bytes.Length, cancellationToken);
            }

            var sha = ModelVersion.Sha256Hex(bytes);
            var version = ModelVersion.Id(name, sha);
            if (await registry.GetVersionAsync(version, cancellationToken) is not null)
            {
                if (await registry.IsActivationRecordedAsync(version, cancellationToken))
                {
                    logger.LogInformation("weights/{Blob} is already registered as {Version}", blobName, version);
                    return IngestionOutcome.Accept(name, version, already: true);
                }
                // An earlier attempt registered the version and failed before its pointer update: finish it.
                logger.LogWarning("{Version} was registered by an attempt that did not activate it; activating it now", version);
                await ActivateAsync(name, blobName, version, cancellationToken);
                return IngestionOutcome.Accept(name, version, already: true);
            }

            var result = await validator.ValidateAsync(bytes, manifest, version, cancellationToken);
            if (!result.Passed)
                return await RejectAsync(name, blobName, result.Code!, result.Reason!, sha, bytes.Length, cancellationToken);
            var (report, regression) = await CompareWithActiveAsync(result.Report, version, manifest, cancellationToken);
            if (regression is not null)
            {
                return await RejectAsync(name, blobName, RejectionCodes.AccuracyRegression, regression, sha, bytes.Length, cancellationToken,
                    report.GoldenAP, report.ComparedWith, report.ComparedAP);
            }

            var record = new VersionRecord
            {
                Version = version,
                Name = name,
                Family = result.Family!,
                Sha256 = sha,
                Size = bytes.Length,
                SourceBlob = $"{options.Value.WeightsContainer}/{blobName}",
                Created = time.GetUtcNow(),
                Validation = report,
                Manifest = (result.Manifest ?? ModelManifest.Empty) with { Name = manifest?.Name ?? name, Sha256 = sha },
            };
            if (!await registry.RegisterVersionAsync(record, BinaryData.FromBytes(bytes), cancellationToken))
            {
                logger.LogInformation("{Version} was registered concurrently by another ingestion", version);
                return IngestionOutcome.Accept(name, version, already: true);
            }
            await ActivateAsync(name, blobName, version, cancellationToken);
            logger.LogInformation("Registered weights/{Blob} as {Version} ({Family}, {Size} bytes) and made it active",
                blobName, version, record.Family, bytes.Length);
            return IngestionOutcome.Accept(name, version);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            return StorageUnavailable(name, ex);
        }
    }

    /// <summary>
    /// The accuracy regression gate: the candidate's golden-set AP against the active version's (both kept in the
    /// report). More than <see cref="MogFaceOptions.AccuracyMargin"/> below it gives the rejection reason, or, with
    /// <c>"gate": "warn"</c>, a report with a <see cref="ValidationReport.Warning"/>. No comparison without a candidate AP (quality gate off), without an
    /// active version (the first model), or when the active one has no AP recorded (ingested with the gate off).
    /// </summary>
    private async Task<(ValidationReport Report, string? Regression)> CompareWithActiveAsync(ValidationReport report, string version, ModelManifest? manifest, CancellationToken cancellationToken)
    {
        if (report.GoldenAP is not { } candidateAp)
            return (report, null);
        // An unreadable pointer is replaced by this upload's activation: there is nothing to compare with.
        var pointer = (await registry.ReadPointerAsync(null, cancellationToken)).Document;
        if (pointer?.Active is not { } active || active == version
            || await registry.GetVersionAsync(active, cancellationToken) is not { Validation.GoldenAP: { } activeAp })
            return (report, null);
        report = report with { ComparedWith = active, ComparedAP = activeAp };
        var margin = options.Value.AccuracyMargin;
        if (candidateAp >= activeAp - margin - 1e-9)
            return (report, null);
        var finding = string.Create(CultureInfo.InvariantCulture,
            $"Accuracy regression: AP@{GoldenSet.MatchIoU:0.0#} on the golden set is {candidateAp:0.0000}, {activeAp - candidateAp:0.0000} below the active version {active} ({activeAp:0.0000}); the margin is {margin:0.0###} (MogFace__AccuracyMargin).");
        if (manifest?.Gate == ModelManifest.GateWarn)
        {
            logger.LogWarning("{Version}: {Finding} Accepted: its manifest says \"gate\": \"warn\"", version, finding);
            return (report with { Warning = $"{finding} Accepted: the manifest says \"gate\": \"warn\"." }, null);
        }
        return (report, $"{finding} Set \"gate\": \"warn\" in the manifest to accept it with a warning.");
    }

    /// <summary>
    /// The second half of an ingestion: move the pointer, then record that it was moved. A failure anywhere here
    /// leaves the version without its activation record, so a retry of the same bytes comes back here.
    /// </summary>
    private async Task ActivateAsync(string name, string blobName, string version, CancellationToken cancellationToken)
    {
        await registry.ActivateAsync(version, $"upload weights/{blobName}", cancellationToken);
        await registry.RecordActivationAsync(version, cancellationToken);
        await registry.DeleteRejectionsAsync(blobName, cancellationToken);
        metrics.RecordAccepted(version);
    }

    private string TooLargeReason(long size) =>
        $"The model is {size} bytes; the limit is {options.Value.MaxModelBytes} bytes (MogFace__MaxModelBytes).";

    /// <summary>The whole stream, or null as soon as it passes <paramref name="cap"/> bytes.</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream content, long cap, CancellationToken cancellationToken)
    {
        if (content.CanSeek && content.Length - content.Position > cap)
            return null;
        using var buffer = content.CanSeek ? new MemoryStream((int)Math.Min(content.Length - content.Position, int.MaxValue)) : new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > cap)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task<IngestionOutcome> RejectAsync(string name, string blobName, string code, string reason, string? sha, long size, CancellationToken cancellationToken,
        double? goldenAp = null, string? comparedWith = null, double? comparedAp = null)
    {
        metrics.RecordRejected(code);
        logger.LogWarning("Rejected weights/{Blob} ({Code}): {Reason}", blobName, code, reason);
        try
        {
            await registry.WriteRejectionAsync(
                new RejectionRecord(name, reason, code, sha, size, $"{options.Value.WeightsContainer}/{blobName}", time.GetUtcNow(), goldenAp, comparedWith, comparedAp),
                blobName, cancellationToken);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            logger.LogWarning("The rejection of weights/{Blob} could not be recorded: {Error}", blobName, ex.Message);
        }
        return IngestionOutcome.Reject(name, code, reason);
    }

    private IngestionOutcome StorageUnavailable(string name, Exception ex)
    {
        if (ex is RequestFailedException { Status: 400 } refused)
        {
            logger.LogWarning("Ingesting {Name}: storage refused the request ({Error}); not retried", name, refused.ErrorCode);
            metrics.RecordRejected(RejectionCodes.StorageRefused);
            return IngestionOutcome.Reject(name, RejectionCodes.StorageRefused,
                $"Storage refused the request ({refused.ErrorCode}); retrying the same upload cannot succeed.");
        }
        logger.LogError(ex, "Ingesting {Name} failed on storage; a retry of the same bytes completes it", name);
        metrics.RecordRejected(RejectionCodes.StorageUnavailable);
        return IngestionOutcome.Reject(name, RejectionCodes.StorageUnavailable,
            $"The model registry is unavailable ({ex.Message}); the upload did not complete, retry it (a retry finishes whatever this attempt left undone).");
    }

    private static bool IsStorageFailure(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is RequestFailedException or IOException or HttpRequestException or AggregateException or TimeoutException
            or OperationCanceledException or JsonException or InvalidOperationException;
}
