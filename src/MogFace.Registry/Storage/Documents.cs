using MogFace.Engine.Families;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Storage;

// The JSON documents of the models container (system.md, "The weights path"). Field names are contracts.

public sealed record CanarySplit(string Version, int Percent);

/// <summary><c>models/pointer.json</c>: changed only by ETag compare-and-swap.</summary>
public sealed record PointerDocument
{
    public string? Active { get; init; }
    public CanarySplit? Canary { get; init; }
    public IReadOnlyList<string> Previous { get; init; } = [];
    public DateTimeOffset UpdatedAt { get; init; }
    public string? Reason { get; init; }

    /// <summary>The progressive-delivery plan of the canary (running or finished), or null; see <see cref="CanaryPlan"/>.</summary>
    public CanaryPlan? Plan { get; init; }
}

/// <summary>
/// How a version was validated. <see cref="GoldenAP"/>: its AP on the embedded golden set (null when the quality gate
/// did not run); <see cref="ComparedWith"/> and <see cref="ComparedAP"/>: the version that was active at ingestion and
/// its AP (null for the first model, or when the active one has none recorded); <see cref="Warning"/>: an accuracy
/// regression accepted because the manifest says <c>"gate": "warn"</c>.
/// </summary>
public sealed record ValidationReport(
    bool Passed, string Provider, double LoadMs, double SmokeMs, bool QualityGateRun, int? ProbeFaces, double? ProbeIoU, string? Detail,
    double? GoldenAP = null, string? ComparedWith = null, double? ComparedAP = null, string? Warning = null);

/// <summary><c>models/versions/&lt;versionId&gt;/manifest.json</c>: immutable once written.</summary>
public sealed record VersionRecord
{
    public required string Version { get; init; }
    public required string Name { get; init; }
    public required string Family { get; init; }
    public required string Sha256 { get; init; }
    public long Size { get; init; }
    public string? SourceBlob { get; init; }
    public DateTimeOffset Created { get; init; }
    public ValidationReport? Validation { get; init; }
    public ModelManifest? Manifest { get; init; }
}

/// <summary><c>models/rejected/&lt;name&gt;-&lt;name hash&gt;-&lt;content hash&gt;.json</c> (one per distinct upload): why an upload was refused.
/// For an <c>accuracy-regression</c>, <see cref="GoldenAP"/> is the candidate's golden-set AP and <see cref="ComparedAP"/> the active version's.</summary>
public sealed record RejectionRecord(string Name, string Reason, string Code, string? Sha256, long Size, string? SourceBlob, DateTimeOffset At,
    double? GoldenAP = null, string? ComparedWith = null, double? ComparedAP = null);

/// <summary><c>models/instances/&lt;instanceId&gt;.json</c>: what one instance serves.</summary>
public sealed record InstanceHeartbeat
{
    /// <summary>
    /// The most the last ("stopped") heartbeat may take, waiting for one in flight included: a storage outage must
    /// not hold a shutdown for the 10 s an ordinary heartbeat gets. Within the server's 2 s shutdown timeout.
    /// </summary>
    public static readonly TimeSpan FinalWriteTimeout = TimeSpan.FromSeconds(1);

    public required string InstanceId { get; init; }
    public string? Active { get; init; }
    public string? Canary { get; init; }
    public IReadOnlyList<string> Loaded { get; init; } = [];
    public string State { get; init; } = "starting";
    public string? Provider { get; init; }
    public DateTimeOffset? LastPoll { get; init; }
    public string? LastError { get; init; }

    /// <summary>A version this instance gave up loading (PermanentLoadException): "&lt;version&gt;: why". Not retried until the pointer changes.</summary>
    public string? PermanentFailure { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Requests, errors and p99 per served version over the last <c>MogFace:CanaryWindow</c>: what the canary plan decider reads.</summary>
    public IReadOnlyList<VersionTraffic> Traffic { get; init; } = [];
}

/// <summary>
/// <c>models/uploads/&lt;id&gt;.json</c>: an upload sent with <c>?async=true</c>, kept in the registry so any instance
/// answers <c>GET /api/models/uploads/{id}</c>. <see cref="State"/>: validating, accepted, rejected, or failed
/// (storage was unavailable: nothing was recorded, send it again).
/// </summary>
public sealed record UploadStatus
{
    public const string Validating = "validating";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Failed = "failed";

    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string State { get; init; }
    public string? Version { get; init; }
    public bool? AlreadyRegistered { get; init; }
    public string? Code { get; init; }
    public string? Reason { get; init; }
    public string? Instance { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What <c>GET /api/models</c> returns.</summary>
public sealed record RegistryView(
    PointerDocument? Pointer,
    IReadOnlyList<VersionRecord> Versions,
    IReadOnlyList<RejectionRecord> Rejected,
    IReadOnlyList<InstanceHeartbeat> Instances)
{
    /// <summary>Why <c>models/pointer.json</c> could not be read (then <see cref="Pointer"/> is null); null when it could.</summary>
    public string? PointerError { get; init; }
}

/// <summary>The result of one ingestion: accepted (maybe already registered) or rejected with a reason.</summary>
public sealed record IngestionOutcome(bool Accepted, string Name, string? Version, string? Reason, string? Code, bool AlreadyRegistered = false)
{
    public static IngestionOutcome Accept(string name, string version, bool already = false) => new(true, name, version, null, null, already);
    public static IngestionOutcome Reject(string name, string code, string reason) => new(false, name, null, reason, code);
}
