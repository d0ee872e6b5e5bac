namespace MogFace.Registry.Serving;

/// <summary>
/// A version that cannot be loaded however often it is tried: its stored bytes do not hash to its sha256 even
/// downloaded twice, or the file is not a model this instance can serve (an unloadable graph, external data,
/// non-finite warm-up). The reconciler does not retry it (each retry could re-download up to 1 GiB on every
/// instance); it keeps serving what it has and reports the failure until a new pointer names something else.
/// </summary>
internal sealed class PermanentLoadException(string version, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Version { get; } = version;
}
