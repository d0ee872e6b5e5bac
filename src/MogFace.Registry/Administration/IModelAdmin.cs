using MogFace.Registry.Storage;

namespace MogFace.Registry.Administration;

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
