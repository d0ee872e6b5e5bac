using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>
/// What this instance's last poll made of <c>models/pointer.json</c>: null when it read (or was not asked),
/// else why the pointer is unreadable. Written by the pointer poller, shown by health, so a broken pointer is visible
/// while the instance keeps serving its last good models.
/// </summary>
public sealed class PointerHealth
{
    private volatile string? _error;

    public string? Error => _error;

    internal void Report(string? error) => _error = error;
}
