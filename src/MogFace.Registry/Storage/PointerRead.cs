using Azure;
using MogFace.Registry.Serving;

namespace MogFace.Registry.Storage;

internal enum PointerReadStatus
{
    /// <summary>The pointer still has the ETag the caller knew (HTTP 304).</summary>
    NotModified,
    /// <summary>No pointer yet: the registry is empty.</summary>
    Missing,
    Changed,
    /// <summary>
    /// The blob exists but is not a pointer document (bad JSON, <c>null</c>, wrong types): <see cref="PointerRead.ETag"/>
    /// is the broken blob's, so a repair can replace exactly it; <see cref="PointerRead.Error"/> says what is wrong.
    /// </summary>
    Unreadable,
}

/// <summary>One conditional read of <c>models/pointer.json</c>.</summary>
internal sealed record PointerRead(PointerReadStatus Status, PointerDocument? Document, ETag? ETag, string? Error = null)
{
    public static PointerRead NotModified { get; } = new(PointerReadStatus.NotModified, null, null);
    public static PointerRead Missing { get; } = new(PointerReadStatus.Missing, null, null);
}
