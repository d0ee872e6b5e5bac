using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using MogFace.Http;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Administration;

namespace MogFace.Functions.Functions;

/// <summary>
/// The admin routes under <c>/api/models</c> (admin key, checked by <c>ApiKeyMiddleware</c>, not the host). Each
/// runs its shared handler inside <see cref="ExceptionProblems.RunAsync"/>, the Functions app's place for the one
/// exception → problem+json mapping (the server's is its API route-group filter).
/// </summary>
public sealed class ModelFunctions(IModelAdmin admin, IWeightsIngestion ingestion, IAsyncUploads uploads, IOptions<MogFaceOptions> options)
{
    [Function("ListModels")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.ListAsync(admin, cancellationToken));

    [Function("UploadModel")]
    public Task<IResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.UploadAsync(request, ingestion, uploads, options, cancellationToken));

    [Function("GetUpload")]
    public Task<IResult> GetUpload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models/uploads/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.GetUploadAsync(id, uploads, cancellationToken));

    [Function("ActivateModel")]
    public Task<IResult> Activate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/{version}/activate")] HttpRequest request,
        string version,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.ActivateAsync(version, admin, cancellationToken));

    [Function("DeleteModel")]
    public Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "models/{version}")] HttpRequest request,
        string version,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.DeleteAsync(version, admin, cancellationToken));

    [Function("RollbackModel")]
    public Task<IResult> Rollback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/rollback")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.RollbackAsync(admin, cancellationToken));

    [Function("SetCanary")]
    public Task<IResult> SetCanary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "models/canary")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.SetCanaryAsync(request, admin, cancellationToken));

    [Function("ClearCanary")]
    public Task<IResult> ClearCanary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "models/canary")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.ClearCanaryAsync(admin, cancellationToken));

    [Function("PromoteCanary")]
    public Task<IResult> PromoteCanary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/canary/promote")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => ModelsHandlers.PromoteCanaryAsync(admin, cancellationToken));

    [Function("StartCanaryPlan")]
    public Task<IResult> StartCanaryPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/canary/plan")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExceptionProblems.RunAsync(request.HttpContext, () => CanaryPlanHandler.StartAsync(request, admin, options, cancellationToken));
}
