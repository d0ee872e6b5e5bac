using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MogFace.Http;

namespace MogFace.Functions.Middleware;

/// <summary>
/// The product's keys under the Functions host. Every HTTP function is declared anonymous to the host, so the
/// host master key and host function keys are never needed; this middleware applies the one key contract
/// (<see cref="ApiKeyCheck"/>) with the level from <see cref="ApiRoutes"/>, the same table the standalone server
/// maps. Without any key configured it runs open only under local development (<c>func start</c> and the host kit
/// set <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c>); a deployed app without keys refuses every keyed route.
/// </summary>
internal sealed class ApiKeyMiddleware(IOptions<ApiKeyOptions> keys, IConfiguration configuration) : IFunctionsWorkerMiddleware
{
    private readonly bool _allowOpen = IsLocalDevelopment(configuration);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        if (http is null)
        {
            await next(context);
            return;
        }
        // A function that is not in the contract table is treated as admin-only: fail closed.
        var level = ApiRoutes.ByName(context.FunctionDefinition.Name)?.Key ?? KeyLevel.Admin;
        var refusal = ApiKeyCheck.Refusal(http.Request, level, keys.Value, _allowOpen);
        if (refusal is null)
        {
            await next(context);
            return;
        }
        // The ASP.NET Core integration executes the invocation result on the response, as for a function's own.
        context.GetInvocationResult().Value = refusal;
    }

    public static bool IsLocalDevelopment(IConfiguration configuration) =>
        string.Equals(configuration["AZURE_FUNCTIONS_ENVIRONMENT"], "Development", StringComparison.OrdinalIgnoreCase);

    public static bool IsHttpTrigger(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));
}
