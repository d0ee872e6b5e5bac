using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using MogFace.Core;
using MogFace.Core.Http;
using MogFace.Core.Lifecycle;

namespace MogFace.Functions.Functions;

/// <summary><c>GET /api/health</c> (anonymous): 200 once a model is loaded on this worker, else 503.</summary>
public sealed class HealthFunction(IModelProvider models, IOptions<MogFaceOptions> options)
{
    [Function("Health")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        HealthHandler.Handle(request.HttpContext, models, options);
}
