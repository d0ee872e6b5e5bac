using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MogFace.Core.Http;

/// <summary>The HTTP contract of system.md as minimal-API routes (the standalone server; Functions map the same handlers through triggers).</summary>
public static class MogFaceApi
{
    public static RouteGroupBuilder MapMogFaceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");

        api.MapGet("/health", HealthHandler.Handle)
            .WithName("Health")
            .WithSummary("200 {status, modelVersion, instance} once a model is loaded, else 503 with Retry-After.");

        var functions = api.MapGroup("").AddEndpointFilter(new ApiKeyFilter(KeyLevel.Function));
        functions.MapPost("/detect", DetectHandler.HandleAsync)
            .WithName("Detect")
            .WithSummary("Image (raw body or multipart batch) → faces; annotate=true or Accept: image/* → annotated image.")
            .DisableAntiforgery();

        var models = api.MapGroup("/models").AddEndpointFilter(new ApiKeyFilter(KeyLevel.Admin));
        models.MapGet("", ModelsHandlers.ListAsync)
            .WithName("ListModels")
            .WithSummary("Pointer, versions, rejected uploads and instances.");
        models.MapPost("", ModelsHandlers.UploadAsync)
            .WithName("UploadModel")
            .WithSummary("Upload weights (body = .onnx, ?name=): 201 version or 422 reason.");
        models.MapPost("/{version}/activate", ModelsHandlers.ActivateAsync)
            .WithName("ActivateModel")
            .WithSummary("Make a registered version active (roll forward or back).");
        models.MapPost("/rollback", ModelsHandlers.RollbackAsync)
            .WithName("RollbackModel")
            .WithSummary("Active ← previous.");
        models.MapPut("/canary", ModelsHandlers.SetCanaryAsync)
            .WithName("SetCanary")
            .WithSummary("Route {percent} % of clients to {version}.");
        models.MapDelete("/canary", ModelsHandlers.ClearCanaryAsync)
            .WithName("ClearCanary")
            .WithSummary("End the canary split.");

        return api;
    }
}
