namespace MogFace.Registry.Storage;

public sealed class VersionNotFoundException(string version)
    : Exception($"Version '{version}' is not registered.")
{
    public string Version { get; } = version;
}
