using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using MogFace.Http;
using MogFace.Registry.Configuration;
using MogFace.Registry.Serving;

namespace MogFace.Functions.Functions;

/// <summary>
/// The anonymous health routes: <c>GET /api/health</c> (200 once a model is loaded on this worker, else 503) and
/// the container's probes, <c>GET /api/health/live</c> and <c>GET /api/health/ready</c>.
/// </summary>
public sealed class HealthFunction(IModelProvider models, IReadiness readiness, IOptions<MogFaceOptions> options)
{
    [Function("Health")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        HealthHandler.Handle(request.HttpContext, models, options);

    [Function("Live")]
    public IResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/live")] HttpRequest request) =>
        HealthProbesHandler.Live(models);

    [Function("Ready")]
    public IResult Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/ready")] HttpRequest request) =>
        HealthProbesHandler.Ready(request.HttpContext, readiness, options);
}
