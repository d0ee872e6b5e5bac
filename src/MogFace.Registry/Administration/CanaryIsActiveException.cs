namespace MogFace.Registry.Administration;

public sealed class CanaryIsActiveException(string version)
    : Exception($"Version '{version}' is the active version; a canary must be another version.")
{
    public string Version { get; } = version;
}
