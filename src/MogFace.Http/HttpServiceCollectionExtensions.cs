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

    /// <summary>The two keys from the <c>MogFace</c> section (<c>MogFace__FunctionKey</c>, <c>MogFace__AdminKey</c>), problem details and the detection gate.</summary>
    public static IServiceCollection AddMogFaceHttp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddProblemDetails();
        services.TryAddSingleton<DetectionGate>();
        services.Configure<ApiKeyOptions>(configuration.GetSection(MogFaceOptions.Section));
        return services;
    }
}
