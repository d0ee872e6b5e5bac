using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using MogFace.Engine.Json;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;

namespace MogFace.Http;

/// <summary>
/// The container's probes (anonymous). <c>GET /api/health/live</c>: the process answers, nothing else is
/// consulted, so a replica that is loading or cut off from storage is not restarted for it.
/// <c>GET /api/health/ready</c>: whether to send this replica traffic (<see cref="IReadiness"/>).
/// <c>GET /api/health</c> stays as it was.
/// </summary>
public static class HealthProbesHandler
{
    public const string RegistryUnreachable = "registry-unreachable";

    public static IResult Live(IModelProvider models) =>
        Results.Json(new LivenessResponse("alive", models.InstanceId), MogFaceJson.Options);

    public static IResult Ready(HttpContext context, IReadiness readiness, IOptions<MogFaceOptions> options)
    {
        var report = readiness.Check();
        if (report.Ready)
            return Results.Json(report, MogFaceJson.Options);
        context.Response.Headers.RetryAfter = Problems.RetryAfterSeconds(options.Value.PollInterval);
        var code = report.Status == RegistryUnreachable ? RegistryUnreachable : Problems.ModelNotReady;
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, code, report.Detail ?? "Not ready.",
            new Dictionary<string, object?>
            {
                ["instance"] = report.Instance,
                ["modelVersion"] = report.ModelVersion,
                ["lastRegistryContact"] = report.LastRegistryContact,
            });
    }
}

public sealed record LivenessResponse(string Status, string Instance);
