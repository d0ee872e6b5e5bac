using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

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
