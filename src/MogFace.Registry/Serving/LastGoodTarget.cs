using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>
/// What an instance that has nothing loaded serves while <c>models/pointer.json</c> is unreadable, instead of
/// answering 503 until someone repairs it: the active version of the freshest heartbeat of another instance
/// (what the fleet was serving from the last good pointer, so a rolled-back version stays rolled back), else
/// the newest registered version. Only registered versions are candidates.
/// </summary>
internal static class LastGoodTarget
{
    public static async Task<PointerDocument?> FindAsync(ModelRegistry registry, string instanceId, CancellationToken cancellationToken)
    {
        var versions = await registry.ListVersionsAsync(cancellationToken); // newest first
        var registered = versions.Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
        var heartbeats = await registry.ListHeartbeatsAsync(cancellationToken);
        var fromFleet = heartbeats
            .Where(h => h.InstanceId != instanceId && h.Active is not null && registered.Contains(h.Active))
            .OrderByDescending(h => h.UpdatedAt)
            .FirstOrDefault();
        var active = fromFleet?.Active ?? versions.FirstOrDefault()?.Version;
        if (active is null)
            return null;
        var source = fromFleet is null ? "the newest registered version" : $"served by {fromFleet.InstanceId} at {fromFleet.UpdatedAt:O}";
        return new PointerDocument { Active = active, Reason = $"pointer unreadable: last good version ({source})" };
    }
}
