using Microsoft.Extensions.Options;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;

namespace MogFace.Registry.Serving;

/// <summary>Whether this instance should be given traffic now (<c>GET /api/health/ready</c>, the container's readiness probe).</summary>
public interface IReadiness
{
    ReadinessReport Check();
}

/// <param name="Ready">True when the instance should receive traffic.</param>
/// <param name="Status"><c>ready</c>, <c>empty</c> (the registry has no version yet: ready to ingest the first one), <c>loading</c> or <c>registry-unreachable</c>.</param>
/// <param name="ModelVersion">The active version this instance serves, when one is loaded.</param>
/// <param name="LastRegistryContact">When the model registry last answered this instance's poll.</param>
/// <param name="Detail">Why it is not ready, for people.</param>
public sealed record ReadinessReport(bool Ready, string Status, string? ModelVersion, string Instance, DateTimeOffset? LastRegistryContact, string? Detail);

/// <summary>
/// Ready = the registry answered within <see cref="MogFaceOptions.RegistryStaleAfter"/> and the instance serves
/// a model. One exception, on purpose: while the registry holds no version at all the instance is ready too.
/// An unready replica gets no traffic on Container Apps, and that includes the Event Grid webhook and the admin
/// upload that would register the first model, so a fresh deployment would never become ready otherwise.
/// </summary>
internal sealed class InstanceReadiness(ServedModels served, InstanceStatus status, IOptions<MogFaceOptions> options, TimeProvider time) : IReadiness
{
    public ReadinessReport Check()
    {
        var contact = status.LastRegistryContact;
        var serving = served.Current.ActiveVersion;
        var staleAfter = options.Value.RegistryStaleAfter;
        if (contact is null)
            return NotReady("registry-unreachable", serving, contact, "The model registry has not answered this instance yet.");
        var age = time.GetUtcNow() - contact.Value;
        if (age > staleAfter)
            return NotReady("registry-unreachable", serving, contact,
                $"The model registry last answered {age.TotalSeconds:0} s ago (limit {staleAfter.TotalSeconds:0} s, MogFace__RegistryStaleAfter).");
        if (serving is not null)
            return new ReadinessReport(true, "ready", serving, served.InstanceId, contact, null);
        if (status.PointerActive is not { } wanted)
            return new ReadinessReport(true, "empty", null, served.InstanceId, contact, "No model is registered yet; ready to ingest the first one.");
        return NotReady("loading", null, contact, $"Loading {wanted}; no model is loaded on this instance yet.");
    }

    private ReadinessReport NotReady(string status, string? serving, DateTimeOffset? contact, string detail) =>
        new(false, status, serving, served.InstanceId, contact, detail);
}
