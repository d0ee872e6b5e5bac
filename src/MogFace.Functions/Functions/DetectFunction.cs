using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using MogFace.Http;
using MogFace.Registry.Configuration;
using MogFace.Registry.Serving;
using MogFace.Registry.Telemetry;

namespace MogFace.Functions.Functions;

/// <summary><c>POST /api/detect</c> (function or admin key, checked by <c>ApiKeyMiddleware</c>): delegates to the shared handler, its exceptions answered by <see cref="ExceptionProblems"/>.</summary>
public sealed class DetectFunction(IModelProvider models, IOptions<MogFaceOptions> options, MogFaceMetrics metrics, DetectionSlots slots, DetectAdmission admission, DecodeBudget decodeBudget)
{
    [Function("Detect")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "detect")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => DetectHandler.HandleAsync(request, models, options, metrics, slots, admission, decodeBudget, cancellationToken));
}
