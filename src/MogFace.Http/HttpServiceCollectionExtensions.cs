using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MogFace.Registry;
using MogFace.Registry.Configuration;

namespace MogFace.Http;

/// <summary>What the HTTP surface needs from DI, registered the same way by both hosts.</summary>
public static class HttpServiceCollectionExtensions
{
    /// <summary>
    /// Everything both hosts serve, registered once for both: the registry and lifecycle (with the engine), the HTTP
    /// surface and the telemetry export. The hosts add only what is theirs (triggers, Kestrel, the container scan).
    /// </summary>
    public static IServiceCollection AddMogFaceService(this IServiceCollection services, IConfiguration configuration) =>
        services.AddMogFaceRegistry(configuration).AddMogFaceHttp(configuration).AddMogFaceTelemetry(configuration);

    /// <summary>
    /// The two keys from the <c>MogFace</c> section (<c>MogFace__FunctionKey</c>, <c>MogFace__AdminKey</c>), the detect
    /// path's gates (detection slots, admission, decode budget) and problem details; those the framework writes
    /// itself (an unknown route, a method a route does not take) get the <c>code</c> every handler answer carries
    /// (<see cref="Problems.ForStatus"/>).
    /// </summary>
    public static IServiceCollection AddMogFaceHttp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.ForStatus(status));
            context.ProblemDetails.Detail ??= Problems.DetailForStatus(status, context.HttpContext);
        });
        services.TryAddSingleton<DetectionSlots>();
        services.TryAddSingleton<DetectAdmission>();
        services.TryAddSingleton<DecodeBudget>();
        services.Configure<ApiKeyOptions>(configuration.GetSection(MogFaceOptions.Section));
        return services;
    }
}
