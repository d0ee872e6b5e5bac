using Microsoft.Extensions.Logging;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Administration;

/// <summary>
/// Deletes a version nothing refers to, safely against a concurrent activation (or canary) of the same version.
/// <para>
/// The order is what makes it safe: (1) write <c>versions/&lt;v&gt;/deleting</c>, (2) compare-and-swap the pointer,
/// refusing when it refers to the version and dropping the version from its history (always a write, so the
/// ETag changes), (3) delete the blobs, the marker last. A pointer change that brings a version in reads the
/// pointer, then checks the version exists and has no marker, then writes If-Match what it read
/// (<see cref="ModelRegistry.UpdatePointerAsync"/> with <c>admitting</c>). Of the two pointer writes one lands
/// first: when the activation's does, the deletion's CAS re-reads, finds the version in use and stops (409, marker
/// removed, nothing deleted); when the deletion's does, the activation either read the pointer before it (its
/// If-Match fails, it re-reads and re-checks) or after it, and then after the marker was written: it sees the marker
/// and answers 404. So no pointer ever names a deleted version.
/// </para>
/// </summary>
internal sealed class VersionDeletion(ModelRegistry registry, MogFaceMetrics metrics, ILogger<VersionDeletion> logger)
{
    private static readonly TimeSpan UnmarkBudget = TimeSpan.FromSeconds(5);

    public async Task DeleteAsync(string version, CancellationToken cancellationToken)
    {
        // Refuse early, writing nothing, what is unknown or still needed (the CAS below checks again).
        var pointer = await registry.GetPointerAsync(cancellationToken);
        var registered = await registry.GetVersionAsync(version, cancellationToken) is not null;
        // A marker without a manifest is a deletion that stopped half-way: this one finishes it.
        if (!registered && !await registry.IsDeletingAsync(version, cancellationToken))
            throw new VersionNotFoundException(version);
        if (pointer is not null)
            PointerHistory.RequireUnused(pointer, version);

        await registry.MarkDeletingAsync(version, cancellationToken);
        try
        {
            await registry.UpdatePointerAsync(current => PointerHistory.Detach(current, version, $"delete {version}"), cancellationToken);
        }
        catch (Exception ex)
        {
            // Nothing was deleted yet: the version stays whole and activatable again (best effort; a marker left
            // behind only makes activation answer "being deleted" until a delete is sent again).
            try
            {
                // Not the request's token: it may be what ended the CAS. Bounded, so an outage does not hold the answer.
                using var unmarkBudget = new CancellationTokenSource(UnmarkBudget);
                await registry.UnmarkDeletingAsync(version, unmarkBudget.Token);
            }
            catch (Exception unmark) when (unmark is Azure.RequestFailedException or IOException or OperationCanceledException)
            {
                logger.LogWarning(unmark, "The deleting marker of {Version} stays after a refused deletion ({Why})", version, ex.Message);
            }
            throw;
        }
        await registry.RemoveVersionBlobsAsync(version, cancellationToken);
        metrics.RecordDeleted(version);
        logger.LogWarning("Deleted version {Version} from the registry", version);
    }
}
