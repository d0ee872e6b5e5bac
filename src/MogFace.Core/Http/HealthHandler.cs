using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MogFace.Core.Telemetry;
using MogFace.Core.Lifecycle;

namespace MogFace.Core.Http;

/// <summary><c>GET /api/health</c>: 200 once a model is loaded, else 503 with Retry-After (anonymous).</summary>
public static class HealthHandler
{
    public static IResult Handle(HttpContext context, IModelProvider models, IOptions<MogFaceOptions> options)
    {
        // Health is not a client: a fixed key keeps it out of the random canary draw as far as routing allows.
        using var lease = models.IsReady ? models.TryAcquire(HealthClientId) : null;
        if (lease is null)
            return Problems.NotReady(context, options.Value.PollInterval, models.InstanceId);
        context.Response.Headers[DetectHandler.ModelVersionHeader] = lease.Model.Version;
        return Results.Json(
            new HealthResponse("ok", lease.Model.Version, models.InstanceId, lease.Model.Provider, lease.IsCanary ? true : null,
                context.RequestServices?.GetService<ServiceStats>()?.Snapshot()),
            MogFaceJson.Options);
    }

    private const string HealthClientId = "health";
}

/// <param name="Canary">Set (true) only when the version reported is the canary's.</param>
/// <param name="Stats">This instance's request, latency, swap and ingestion numbers (the console charts them).</param>
public sealed record HealthResponse(string Status, string ModelVersion, string Instance, string Provider, bool? Canary, StatsSnapshot? Stats = null);
