using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MogFace.Http;

namespace MogFace.Server;

/// <summary>The standalone server's endpoint filter: 401 problem+json for a missing or wrong key. It runs open when no key is configured.</summary>
public sealed class ApiKeyFilter(KeyLevel level) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var keys = context.HttpContext.RequestServices.GetService<IOptions<ApiKeyOptions>>()?.Value ?? new ApiKeyOptions();
        var refusal = ApiKeyCheck.Refusal(context.HttpContext.Request, level, keys, allowOpen: true);
        return refusal is null ? next(context) : ValueTask.FromResult<object?>(refusal);
    }
}
