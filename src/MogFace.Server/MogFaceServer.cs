using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using MogFace.Http;
using MogFace.Registry;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Server;

/// <summary>The server's wiring in one place, so Program.cs and the end-to-end tests build the very same app.</summary>
public static class MogFaceServer
{
    public const int DefaultPort = 7071;

    /// <summary>The .NET runtime's built-in meter (process CPU time, GC, JIT, thread pool), exported at /metrics.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// How long a stop (SIGTERM, Ctrl-C) may take before the host gives up on what is still running (the host's
    /// default is 30 s): in-flight requests and the final heartbeat (<see cref="InstanceHeartbeat.FinalWriteTimeout"/>) fit in it.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    /// <param name="configure">Runs before the MogFace services are added (tests register their own BlobServiceClient here).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json beside the binary, whatever the working directory (./run.sh runs from the repo root).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.AddMogFaceServer();
        var app = builder.Build();
        app.MapMogFaceServer();
        return app;
    }

    public static WebApplicationBuilder AddMogFaceServer(this WebApplicationBuilder builder)
    {
        BindLoopbackUnlessConfigured(builder);
        builder.Services.AddMogFaceService(builder.Configuration);
        // Prometheus text at /metrics: the MogFace meter, ASP.NET Core's own http.server.request.duration, and the
        // runtime's (process CPU time, GC, JIT). Each scrape is rendered afresh (the exporter caches 300 ms by default):
        // `mogface bench http` reads the CPU time between blocks that can be shorter than that.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServiceStats.MeterName, "Microsoft.AspNetCore.Hosting", RuntimeMeterName)
            .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<WeightsContainerScan>();
        builder.Services.AddMogFaceCanaryPlanService();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        return builder;
    }

    public static WebApplication MapMogFaceServer(this WebApplication app)
    {
        var keys = app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
        if (keys.NoKeysConfigured)
            app.Logger.LogWarning("No MogFace:FunctionKey or MogFace:AdminKey configured: POST /api/detect and the /api/models admin routes are open to anyone who can reach this address");
        else if (string.IsNullOrEmpty(keys.AdminKey))
            app.Logger.LogWarning("No MogFace:AdminKey configured: the /api/models admin routes refuse every request");
        app.UseStatusCodePages();
        app.MapMogFaceApi();
        app.MapPrometheusScrapingEndpoint(); // GET /metrics, anonymous like health (the server binds loopback by default)
        app.MapMogFaceConsole(); // the operator console at / and /console/ (anonymous; it asks for keys itself)
        return app;
    }

    /// <summary>127.0.0.1:$PORT (default 7071) unless urls, http_ports or Kestrel endpoints are configured.</summary>
    private static void BindLoopbackUnlessConfigured(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (configured)
            return;
        var port = DefaultPort;
        if (configuration["PORT"] is { Length: > 0 } text && (!int.TryParse(text, out port) || port is < 0 or > 65535))
            throw new InvalidOperationException($"PORT must be a TCP port number; got '{text}'.");
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    }
}
