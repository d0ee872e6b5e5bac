namespace MogFace.Registry.Serving;

/// <summary>
/// What this instance's lifecycle knows about itself: the pointer poller and the reconciler write it, the heartbeat
/// writer and readiness read it. One lock; a heartbeat reads a <see cref="Snapshot"/>, so it never mixes two moments.
/// </summary>
internal sealed class InstanceStatus
{
    private readonly object _gate = new();
    private DateTimeOffset? _lastRegistryContact;
    private string? _pointerActive, _pollError, _applyError, _permanentFailure;
    private bool _stopped;

    /// <summary>When the registry last answered a poll (null before the first answer).</summary>
    public DateTimeOffset? LastRegistryContact { get { lock (_gate) return _lastRegistryContact; } }

    /// <summary>The active version of the newest pointer read (null while the registry has none).</summary>
    public string? PointerActive { get { lock (_gate) return _pointerActive; } }

    /// <summary>What a heartbeat reports, read at one moment; the error is the apply error first (it is what keeps a
    /// version from serving), then the poll error.</summary>
    public readonly record struct View(DateTimeOffset? LastRegistryContact, string? Error, string? PermanentFailure, bool Stopped);

    public View Snapshot()
    {
        lock (_gate)
            return new View(_lastRegistryContact, _applyError ?? _pollError, _permanentFailure, _stopped);
    }

    public void PollAnswered(DateTimeOffset at)
    {
        lock (_gate)
            _lastRegistryContact = at;
    }

    /// <summary>Ends a poll; returns the error the previous poll had (null when it was fine).</summary>
    public string? PollEnded(string? error)
    {
        lock (_gate)
        {
            var previous = _pollError;
            _pollError = error;
            return previous;
        }
    }

    public void PointerRead(string? active)
    {
        lock (_gate)
            _pointerActive = active;
    }

    public void ApplyFailed(string error, string? permanentFailure)
    {
        lock (_gate)
        {
            _applyError = error;
            if (permanentFailure is not null)
                _permanentFailure = permanentFailure;
        }
    }

    public void GaveUp(string permanentFailure)
    {
        lock (_gate)
            _permanentFailure = permanentFailure;
    }

    public void Applied()
    {
        lock (_gate)
        {
            _applyError = null;
            _permanentFailure = null;
        }
    }

    public void Stop()
    {
        lock (_gate)
            _stopped = true;
    }
}
