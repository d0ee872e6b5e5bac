using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Engine.Inference;
using MogFace.Registry.Administration;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry;

/// <summary>The DI entry point of the registry and lifecycle (and the engine beneath it), used by both hosts and by the tests.</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the detection engine and the model lifecycle: <see cref="MogFaceOptions"/> bound from the
    /// <c>MogFace</c> section, the Blob Storage client from <c>AzureWebJobsStorage</c>, the registry,
    /// <see cref="IWeightsIngestion"/>, <see cref="IModelAdmin"/>, <see cref="IModelProvider"/> (the model
    /// host), the model reconciler as a hosted service, <see cref="MogFaceMetrics"/>, <see cref="ServiceStats"/> and
    /// <see cref="TimeProvider.System"/>. Everything is added with TryAdd: register your own
    /// <see cref="BlobServiceClient"/> or <see cref="TimeProvider"/> first to replace them.
    /// </summary>
    public static IServiceCollection AddMogFaceRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<MogFaceOptions>()
            .Bind(configuration.GetSection(MogFaceOptions.Section))
            .Validate(o => o.PollInterval > TimeSpan.Zero, "MogFace:PollInterval must be positive.")
            .Validate(o => o.RegistryStaleAfter > TimeSpan.Zero, "MogFace:RegistryStaleAfter must be positive.")
            .Validate(o => o.HeartbeatTtl > TimeSpan.Zero, "MogFace:HeartbeatTtl must be positive.")
            .Validate(o => o.MaxConcurrentRequests >= 0 && o.MaxQueuedRequests >= 0 && o.MaxBatchBytes > 0,
                "MogFace:MaxConcurrentRequests and MogFace:MaxQueuedRequests must be >= 0 and MogFace:MaxBatchBytes positive.")
            .Validate(o => o.LargeImagePixels > 0 && o.DecodeBudgetPixels >= 0,
                "MogFace:LargeImagePixels must be positive and MogFace:DecodeBudgetPixels >= 0.")
            .Validate(o => o.ValidationTimeout > TimeSpan.Zero && o.MaxConcurrentValidations > 0,
                "MogFace:ValidationTimeout and MogFace:MaxConcurrentValidations must be positive.")
            .Validate(o => o.MaxModelBytes > 0, "MogFace:MaxModelBytes must be positive.")
            .Validate(o => o.AccuracyMargin is >= 0 and <= 1, "MogFace:AccuracyMargin must be between 0 and 1 (AP points).")
            .Validate(o => o.CanaryDwell > TimeSpan.Zero && o.CanaryWindow > TimeSpan.Zero && o.CanaryDecisionInterval > TimeSpan.Zero,
                "MogFace:CanaryDwell, MogFace:CanaryWindow and MogFace:CanaryDecisionInterval must be positive.")
            .Validate(o => o.CanaryErrorMargin is >= 0 and <= 1 && o.CanaryLatencyMargin >= 0 && o.CanaryMinRequests >= 1,
                "MogFace:CanaryErrorMargin must be within 0..1, MogFace:CanaryLatencyMargin >= 0 and MogFace:CanaryMinRequests >= 1.")
            .Validate(o => o.IngestionRetries >= 0 && o.IngestionRetryDelay > TimeSpan.Zero,
                "MogFace:IngestionRetries must be >= 0 and MogFace:IngestionRetryDelay positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.WeightsContainer) && !string.IsNullOrWhiteSpace(o.ModelsContainer),
                "MogFace:WeightsContainer and MogFace:ModelsContainer must be set.");
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        // ServiceStats listens to the DI meter (scope = the IMeterFactory) and is created before the metrics
        // it reads, so the first swap at startup is counted too.
        services.TryAddSingleton(sp => new ServiceStats(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton(sp =>
        {
            sp.GetRequiredService<ServiceStats>();
            return new MogFaceMetrics(sp.GetRequiredService<IMeterFactory>());
        });
        services.TryAddSingleton(_ => BlobServiceClientFactory.Create(configuration));
        services.TryAddSingleton(sp => new SessionFactory(
            sp.GetRequiredService<IOptions<MogFaceOptions>>().Value.Inference, sp.GetService<ILogger<SessionFactory>>()));

        services.TryAddSingleton<ModelRegistry>();
        services.TryAddSingleton<ModelValidator>();
        services.TryAddSingleton<ValidationWorker>();
        services.TryAddSingleton(sp => new ModelCache(
            sp.GetRequiredService<IOptions<MogFaceOptions>>().Value.CacheDirectory is { Length: > 0 } directory
                ? directory
                : Path.Combine(Path.GetTempPath(), "mogface-models"),
            sp.GetRequiredService<ILogger<ModelCache>>()));
        services.TryAddSingleton(sp => new ServedModels(
            InstanceIdentity.Resolve(sp.GetRequiredService<IOptions<MogFaceOptions>>().Value),
            sp.GetRequiredService<MogFaceMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ServedModels>>()));
        services.TryAddSingleton<IModelProvider>(sp => sp.GetRequiredService<ServedModels>());
        services.TryAddSingleton<PointerHealth>();
        // The instance side, one job each: poll the pointer, load versions, write heartbeats; the reconciler runs them.
        services.TryAddSingleton<InstanceStatus>();
        services.TryAddSingleton<PollSchedule>();
        services.TryAddSingleton<PointerPoller>();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<HeartbeatWriter>();
        services.TryAddSingleton<ModelReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelReconciler>());
        services.TryAddSingleton<IReadiness, InstanceReadiness>();
        services.TryAddSingleton<IWeightsIngestion, WeightsIngestion>();
        services.TryAddSingleton<IngestionRetry>();
        services.TryAddSingleton<VersionDeletion>();
        services.TryAddSingleton<IModelAdmin, ModelAdmin>();
        services.TryAddSingleton<ICanaryPlanDecider, CanaryPlanDecider>();
        services.TryAddSingleton<AsyncUploads>();
        services.TryAddSingleton<IAsyncUploads>(sp => sp.GetRequiredService<AsyncUploads>());
        services.AddHostedService(sp => sp.GetRequiredService<AsyncUploads>());
        return services;
    }

    /// <summary>
    /// The server's canary plan decider: <see cref="CanaryPlanService"/> every <c>MogFace:CanaryDecisionInterval</c>.
    /// (The Functions app runs the same decision from a timer function instead.)
    /// </summary>
    public static IServiceCollection AddMogFaceCanaryPlanService(this IServiceCollection services)
    {
        services.AddHostedService<CanaryPlanService>();
        return services;
    }
}
