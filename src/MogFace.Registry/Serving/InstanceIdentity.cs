using MogFace.Registry.Configuration;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Serving;

/// <summary>Names this instance in heartbeats and detect responses.</summary>
internal static class InstanceIdentity
{
    /// <summary>
    /// The configured id, else what the host environment calls this replica (Container Apps:
    /// CONTAINER_APP_REPLICA_NAME; App Service / Functions: WEBSITE_INSTANCE_ID), else the machine name.
    /// </summary>
    public static string Resolve(MogFaceOptions options, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var candidate in new[] { options.InstanceId, environment("CONTAINER_APP_REPLICA_NAME"), environment("WEBSITE_INSTANCE_ID") })
        {
            if (!string.IsNullOrWhiteSpace(candidate))
                return candidate.Trim();
        }
        return Environment.MachineName;
    }
}
