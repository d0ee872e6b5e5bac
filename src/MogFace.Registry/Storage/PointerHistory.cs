
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

    private static string[] Push(IReadOnlyList<string> previous, string? replaced, string incoming)
    {
        IEnumerable<string> items = previous;
        if (replaced is not null && replaced != incoming)
            items = items.Prepend(replaced);
        return items.Where(v => v != incoming).Distinct().Take(Limit).ToArray();
    }
}
