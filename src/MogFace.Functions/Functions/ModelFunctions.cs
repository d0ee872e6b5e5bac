using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using MogFace.Http;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;

namespace MogFace.Functions.Functions;

/// <summary>The admin routes under <c>/api/models</c> (admin key, checked by <c>ApiKeyMiddleware</c>, not the host).</summary>
public sealed class ModelFunctions(IModelAdmin admin, IWeightsIngestion ingestion, IAsyncUploads uploads, IOptions<MogFaceOptions> options)
{
    [Function("ListModels")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ModelsHandlers.ListAsync(admin, cancellationToken);

    [Function("UploadModel")]
    public Task<IResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ModelsHandlers.UploadAsync(request, ingestion, uploads, options, cancellationToken);

    [Function("GetUpload")]
    public Task<IResult> GetUpload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models/uploads/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        ModelsHandlers.GetUploadAsync(id, uploads, cancellationToken);

    [Function("ActivateModel")]
    public Task<IResult> Activate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/{version}/activate")] HttpRequest request,
        string version,
        CancellationToken cancellationToken) =>
        ModelsHandlers.ActivateAsync(version, admin, cancellationToken);

    [Function("RollbackModel")]
    public Task<IResult> Rollback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/rollback")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ModelsHandlers.RollbackAsync(admin, cancellationToken);

    [Function("SetCanary")]
    public Task<IResult> SetCanary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "models/canary")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ModelsHandlers.SetCanaryAsync(request, admin, cancellationToken);

    [Function("ClearCanary")]
    public Task<IResult> ClearCanary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "models/canary")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ModelsHandlers.ClearCanaryAsync(admin, cancellationToken);

    [Function("PromoteCanary")]
    public Task<IResult> PromoteCanary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/canary/promote")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ModelsHandlers.PromoteCanaryAsync(admin, cancellationToken);
}
