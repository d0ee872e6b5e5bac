
namespace MogFace.Registry.Storage;

/// <summary>The pointer transitions every writer (ingestion, admin) shares, as pure functions.</summary>
internal static class PointerHistory
{
    /// <summary>How many earlier active versions the pointer remembers for rollback.</summary>
    public const int Limit = 20;

    /// <summary>
    /// <paramref name="version"/> becomes active; the active one it replaces heads the history. A canary of the
    /// same version ends (it is the active one now). Null when nothing changes.
    /// </summary>
    public static PointerDocument? Activate(PointerDocument current, string version, string reason)
    {
        if (current.Active == version && current.Canary?.Version != version)
            return null;
        return current with
        {
            Active = version,
            Canary = current.Canary?.Version == version ? null : current.Canary,
            Previous = Push(current.Previous, current.Active, version),
            Reason = reason,
        };
    }

    /// <summary>active ← previous[0], which leaves the history (the rolled-back version is not kept).</summary>
    public static PointerDocument Rollback(PointerDocument current)
    {
        if (current.Previous.Count == 0)
            throw new InvalidOperationException("There is no previous version to roll back to.");
        var target = current.Previous[0];
        return current with
        {
            Active = target,
            Canary = current.Canary?.Version == target ? null : current.Canary,
            Previous = current.Previous.Skip(1).ToArray(),
            Reason = $"rollback from {current.Active} to {target}",
        };
    }

    /// <summary>
    /// The pointer without <paramref name="version"/> in its history, for a deletion; always a new document (the write
    /// must change the ETag, see <c>VersionDeletion</c>). Refused while the pointer still needs the version.
    /// </summary>
    /// <exception cref="VersionInUseException">Active, canary, rollback target (previous[0]) or a running plan's version.</exception>
    public static PointerDocument Detach(PointerDocument current, string version, string reason)
    {
        RequireUnused(current, version);
        return current with { Previous = current.Previous.Where(v => v != version).ToArray(), Reason = reason };
    }

    /// <exception cref="VersionInUseException">The pointer refers to <paramref name="version"/> in a way a deletion would break.</exception>
    public static void RequireUnused(PointerDocument current, string version)
    {
        var (code, why) = current switch
        {
            { Active: var a } when a == version => (VersionInUseException.Active, "is the active version; activate another one first"),
            { Canary.Version: var c } when c == version => (VersionInUseException.Canary, "is the canary; end the canary first"),
            { Plan: { IsRunning: true, Version: var p } } when p == version => (VersionInUseException.InPlan, "is a running canary plan's version; end the canary first"),
            { Previous: [var first, ..] } when first == version => (VersionInUseException.RollbackTarget, "is the rollback target (previous[0]); activate another version first so that it is not"),
            _ => (null, null),
        };
        if (code is not null)
            throw new VersionInUseException(version, code, $"Version '{version}' {why}.");
    }

    private static string[] Push(IReadOnlyList<string> previous, string? replaced, string incoming)
    {
        IEnumerable<string> items = previous;
        if (replaced is not null && replaced != incoming)
            items = items.Prepend(replaced);
        return items.Where(v => v != incoming).Distinct().Take(Limit).ToArray();
    }
}
