using System.Text.Json;
using MogFace.Registry.Storage;

namespace MogFace.Fuzz.Targets;

/// <summary>
/// <c>models/instances/&lt;id&gt;.json</c> as the registry lists it (<see cref="RegistryDocuments.Parse{T}"/>). Allowed
/// refusal: <see cref="JsonException"/> (the listing skips that heartbeat); a heartbeat that parses must hold what
/// its type promises, since the listing, the canary judge and the health answer use it without further checks.
/// </summary>
internal sealed class HeartbeatTarget : IFuzzTarget
{
    public void Run(Stream input)
    {
        InstanceHeartbeat heartbeat;
        try
        {
            heartbeat = RegistryDocuments.Parse<InstanceHeartbeat>(BinaryData.FromBytes(FuzzTargets.ReadAll(input)), "instances/fuzz.json");
        }
        catch (JsonException)
        {
            return;
        }
        // The listing deletes an expired heartbeat by its blob name; the judge sums traffic per version.
        _ = ModelRegistry.HeartbeatBlob(heartbeat.InstanceId);
        _ = heartbeat.Loaded.Count + heartbeat.State.Length;
        foreach (var traffic in heartbeat.Traffic)
            _ = traffic.Version.Length;
    }
}
