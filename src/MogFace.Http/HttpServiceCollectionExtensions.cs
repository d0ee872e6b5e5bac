using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MogFace.Registry.Configuration;

namespace MogFace.Http;

/// <summary>What the HTTP surface needs from DI, registered the same way by both hosts.</summary>
public static class HttpServiceCollectionExtensions
{
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
