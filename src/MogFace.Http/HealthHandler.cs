using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MogFace.Engine.Json;
using MogFace.Registry.Configuration;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Http;

/// <summary><c>GET /api/health</c>: 200 once a model is loaded, else 503 with Retry-After (anonymous).</summary>
public static class HealthHandler
{
    public static IResult Handle(HttpContext context, IModelProvider models, IOptions<MogFaceOptions> options)
    {
        // Health is not a client: it reports the active model, and the canary beside it.
        using var lease = models.IsReady ? models.TryAcquireActive() : null;
        if (lease is null)
            return Problems.NotReady(context, options.Value.PollInterval, models.InstanceId);
        context.Response.Headers[DetectHandler.ModelVersionHeader] = lease.Model.Version;
        // Still 200 (this instance serves), but "degraded" with the reason while the pointer cannot be read.
        var pointerError = context.RequestServices?.GetService<PointerHealth>()?.Error;
        return Results.Json(
            new HealthResponse(pointerError is null ? "ok" : "degraded", lease.Model.Version, models.InstanceId, lease.Model.Provider, models.Canary,
                context.RequestServices?.GetService<ServiceStats>()?.Snapshot(), pointerError),
            MogFaceJson.Options);
    }
}

/// <param name="ModelVersion">The active version this instance serves.</param>
/// <param name="Canary">The canary version and percent this instance splits to, when one runs.</param>
/// <param name="Stats">This instance's request, latency, swap and ingestion numbers (the console charts them).</param>
/// <param name="PointerError">Why models/pointer.json cannot be read (status "degraded"); absent when it can.</param>
public sealed record HealthResponse(string Status, string ModelVersion, string Instance, string Provider, CanarySplit? Canary, StatsSnapshot? Stats = null, string? PointerError = null);
