using Azure;
using MogFace.Core.Lifecycle;

namespace MogFace.Core.Storage;

internal enum PointerReadStatus
{
    /// <summary>The pointer still has the ETag the caller knew (HTTP 304).</summary>
    NotModified,
    /// <summary>No pointer yet: the registry is empty.</summary>
    Missing,
    Changed,
}

/// <summary>One conditional read of <c>models/pointer.json</c>.</summary>
internal sealed record PointerRead(PointerReadStatus Status, PointerDocument? Document, ETag? ETag)
{
    public static PointerRead NotModified { get; } = new(PointerReadStatus.NotModified, null, null);
    public static PointerRead Missing { get; } = new(PointerReadStatus.Missing, null, null);
}
