namespace MogFace.Registry.Storage;

public sealed class VersionNotFoundException(string version, string? detail = null)
    : Exception(detail ?? $"Version '{version}' is not registered.")
{
    public string Version { get; } = version;
}
