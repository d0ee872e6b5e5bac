using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Functions.Functions;
using MogFace.Functions.Middleware;
using MogFace.Http;
using MogFace.Registry.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// The product's keys (MogFace__FunctionKey / MogFace__AdminKey), checked in the worker for every HTTP function.
builder.UseWhen<ApiKeyMiddleware>(ApiKeyMiddleware.IsHttpTrigger);
// Engine, lifecycle, HTTP surface and telemetry export (Application Insights / OTLP when configured): the same
// wiring as the standalone server.
builder.Services.AddMogFaceService(builder.Configuration);
builder.Services.AddSingleton<WeightsTriggerHandler>();
var app = builder.Build();
WarnAboutKeys(app.Services, ApiKeyMiddleware.IsLocalDevelopment(builder.Configuration));
app.Run();

static void WarnAboutKeys(IServiceProvider services, bool localDevelopment)
{
    var keys = services.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
    var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MogFace.Functions.Keys");
    if (keys.NoKeysConfigured)
        logger.LogWarning(localDevelopment
            ? "No MogFace__FunctionKey or MogFace__AdminKey configured: detect and the admin routes are open (local development only)"
            : "No MogFace__FunctionKey or MogFace__AdminKey configured: every keyed route refuses requests");
    else if (string.IsNullOrEmpty(keys.AdminKey))
        logger.LogWarning("No MogFace__AdminKey configured: the /api/models admin routes refuse every request");
}
