using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MogFace.Http;

namespace MogFace.Server;

/// <summary>The standalone server's minimal-API routes: <see cref="ApiRoutes.Api"/>, each bound to its shared handler and key filter.</summary>
public static class MogFaceApi
{
    private static readonly Dictionary<string, Delegate> Handlers = new()
    {
        [ApiRoutes.Health.Name] = HealthHandler.Handle,
        [ApiRoutes.Live.Name] = HealthProbesHandler.Live,
        [ApiRoutes.Ready.Name] = HealthProbesHandler.Ready,
        [ApiRoutes.Detect.Name] = DetectHandler.HandleAsync,
        [ApiRoutes.ListModels.Name] = ModelsHandlers.ListAsync,
        [ApiRoutes.UploadModel.Name] = ModelsHandlers.UploadAsync,
        [ApiRoutes.ActivateModel.Name] = ModelsHandlers.ActivateAsync,
        [ApiRoutes.DeleteModel.Name] = ModelsHandlers.DeleteAsync,
        [ApiRoutes.RollbackModel.Name] = ModelsHandlers.RollbackAsync,
        [ApiRoutes.SetCanary.Name] = ModelsHandlers.SetCanaryAsync,
        [ApiRoutes.ClearCanary.Name] = ModelsHandlers.ClearCanaryAsync,
        [ApiRoutes.PromoteCanary.Name] = ModelsHandlers.PromoteCanaryAsync,
        [ApiRoutes.StartCanaryPlan.Name] = CanaryPlanHandler.StartAsync,
        [ApiRoutes.GetUpload.Name] = ModelsHandlers.GetUploadAsync,
    };

    public static RouteGroupBuilder MapMogFaceApi(this IEndpointRouteBuilder app)
    {
        // Handlers throw; this one filter answers every exception as problem+json (ExceptionProblems).
        var api = app.MapGroup("/" + ApiRoutes.Prefix).AddEndpointFilter(new ExceptionProblemFilter());
        foreach (var route in ApiRoutes.Api)
        {
            var endpoint = api.MapMethods("/" + route.Template, [route.Method], Handlers[route.Name])
                .WithName(route.Name)
                .WithSummary(route.Summary)
                .DisableAntiforgery();
            if (route.Key != KeyLevel.Anonymous)
                endpoint.AddEndpointFilter(new ApiKeyFilter(route.Key));
        }
        return api;
    }
}
