using MogFace.Engine.Families;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion;

/// <summary>Registers uploaded weights as immutable versions (blob trigger, container scan, admin upload).</summary>
public interface IWeightsIngestion
{
    /// <summary>
    /// Validates and registers <paramref name="content"/>; never throws for a bad model (the outcome says
    /// why), only for cancellation. Rejections are recorded under <c>models/rejected/</c>; acceptance
    /// moves the pointer.
    /// </summary>
    Task<IngestionOutcome> IngestAsync(string blobName, Stream content, ModelManifest? manifest, CancellationToken cancellationToken);

    /// <summary>
    /// Records a refusal decided before ingestion could read the model (an upload over the size cap) under
    /// <c>models/rejected/</c>, as ingestion records its own; never throws for storage trouble (it is logged).
    /// </summary>
    Task<IngestionOutcome> RecordRefusalAsync(string blobName, string code, string reason, long size, CancellationToken cancellationToken);

    /// <summary>Ingests <c>weights/&lt;blobName&gt;</c> (with <c>weights/&lt;name&gt;.json</c> as manifest when present).</summary>
    Task<IngestionOutcome> IngestBlobAsync(string blobName, CancellationToken cancellationToken);
}
