using MogFace.Engine;
using MogFace.Engine.Families;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>
/// A request's hold on the model it started with. The model is not disposed while any lease on it is
/// open, however many swaps happen meanwhile: dispose the lease when the request ends.
/// </summary>
public abstract class ModelLease : IDisposable
{
    public abstract FaceModel Model { get; }

    /// <summary>True when this request was routed to the canary.</summary>
    public abstract bool IsCanary { get; }

    public abstract void Dispose();
}

/// <summary>The models this instance serves right now (active + canary), for the request path.</summary>
public interface IModelProvider
{
    string InstanceId { get; }

    /// <summary>True once a first model is loaded; health answers 503 before.</summary>
    bool IsReady { get; }

    /// <summary>
    /// Leases the model that answers a request: the canary for its share of clients (sticky by
    /// <paramref name="clientId"/>, random when null), else the active one. Null before the first load.
    /// </summary>
    ModelLease? TryAcquire(string? clientId);

    /// <summary>Leases the active model whatever the canary split (health, probes). Null before the first load.</summary>
    ModelLease? TryAcquireActive();

    /// <summary>
    /// Leases <paramref name="version"/> when this instance serves it now (as active or canary), whatever the
    /// split: a request pinned to a version. Null when it is not loaded here.
    /// </summary>
    ModelLease? TryAcquireVersion(string version);

    /// <summary>The versions this instance serves now (active first, then the canary).</summary>
    IReadOnlyList<string> LoadedVersions { get; }

    /// <summary>The canary version and its share of clients, when a canary runs.</summary>
    CanarySplit? Canary { get; }
}

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

/// <summary>Operator actions on the registry (admin routes, CLI).</summary>
public interface IModelAdmin
{
    Task<RegistryView> ListAsync(CancellationToken cancellationToken);

    /// <exception cref="VersionNotFoundException">No such registered version.</exception>
    Task<PointerDocument> ActivateAsync(string version, string reason, CancellationToken cancellationToken);

    /// <exception cref="InvalidOperationException">There is no previous version.</exception>
    /// <exception cref="PointerUnreadableException">The pointer does not parse (activate a version to repair it).</exception>
    Task<PointerDocument> RollbackAsync(CancellationToken cancellationToken);

    /// <exception cref="ArgumentOutOfRangeException">Percent outside 1..100.</exception>
    /// <exception cref="VersionNotFoundException">No such registered version.</exception>
    /// <exception cref="CanaryIsActiveException">The version is the active one.</exception>
    Task<PointerDocument> SetCanaryAsync(string version, int percent, CancellationToken cancellationToken);

    Task<PointerDocument> ClearCanaryAsync(CancellationToken cancellationToken);

    /// <exception cref="InvalidOperationException">No canary is running.</exception>
    Task<PointerDocument> PromoteCanaryAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts a canary plan: <paramref name="version"/> at <paramref name="steps"/>[0] %, advanced by the decider
    /// every <paramref name="dwell"/> while within the margins, promoted after the last step, ended when outside them.
    /// </summary>
    /// <exception cref="ArgumentException">Steps not ascending within 1..100, or a non-positive dwell.</exception>
    /// <exception cref="VersionNotFoundException">No such registered version.</exception>
    /// <exception cref="CanaryIsActiveException">The version is the active one.</exception>
    /// <exception cref="InvalidOperationException">No version is active.</exception>
    Task<PointerDocument> StartPlanAsync(string version, IReadOnlyList<int> steps, TimeSpan dwell, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a version that nothing refers to: its blobs go and it leaves the pointer's history. Not idempotent by
    /// design: a second delete finds nothing (404); an interrupted one is finished by sending it again.
    /// </summary>
    /// <exception cref="VersionNotFoundException">No such registered version.</exception>
    /// <exception cref="VersionInUseException">The version is active, the canary, the rollback target or a running plan's.</exception>
    /// <exception cref="PointerUnreadableException">The pointer does not parse: what refers to the version is unknown.</exception>
    Task DeleteAsync(string version, CancellationToken cancellationToken);
}

public sealed class CanaryIsActiveException(string version)
    : Exception($"Version '{version}' is the active version; a canary must be another version.")
{
    public string Version { get; } = version;
}

public sealed class VersionNotFoundException(string version, string? detail = null)
    : Exception(detail ?? $"Version '{version}' is not registered.")
{
    public string Version { get; } = version;
}
