using System.Diagnostics.Metrics;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MogFace.Tests.Shared;
using MogFace.Registry;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;
using MogFace.Registry.Administration;
using MogFace.Registry.Ingestion;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// One simulated service instance (its own reconciler, model host and cache), wired exactly as the hosts wire
/// it: <c>AddMogFaceRegistry(configuration)</c>, with the test's Blob client and clock registered first.
/// Several of them on the same containers behave like a scaled-out deployment.
/// </summary>
internal sealed class LifecycleInstance : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _started;

    private LifecycleInstance(ServiceProvider services, string cacheDirectory)
    {
        _services = services;
        CacheDirectory = cacheDirectory;
        Meter = new InstanceMeter(services.GetRequiredService<IMeterFactory>());
    }

    public string CacheDirectory { get; }
    public IServiceProvider Services => _services;
    public ServedModels Host => _services.GetRequiredService<ServedModels>();
    public IModelProvider Provider => _services.GetRequiredService<IModelProvider>();
    public IWeightsIngestion Ingestion => _services.GetRequiredService<IWeightsIngestion>();
    public IModelAdmin Admin => _services.GetRequiredService<IModelAdmin>();
    public ModelRegistry Registry => _services.GetRequiredService<ModelRegistry>();
    public ModelCache Cache => _services.GetRequiredService<ModelCache>();
    public MogFaceMetrics Metrics => _services.GetRequiredService<MogFaceMetrics>();

    /// <summary>What this instance reports in its metrics, from its creation on.</summary>
    public InstanceMeter Meter { get; }

    /// <param name="suffix">Container names models-&lt;suffix&gt; and weights-&lt;suffix&gt;: one registry per test.</param>
    public static LifecycleInstance Create(
        AzuriteFixture azurite,
        string suffix,
        string instanceId = "instance-a",
        TimeProvider? time = null,
        TimeSpan? pollInterval = null,
        IDictionary<string, string?>? settings = null,
        HttpPipelinePolicy? policy = null,
        string? cacheDirectory = null,
        Xunit.Abstractions.ITestOutputHelper? output = null)
    {
        cacheDirectory ??= Path.Combine(TestTemp.Root, suffix, instanceId);
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["MogFace:ModelsContainer"] = $"models-{suffix}",
            ["MogFace:WeightsContainer"] = $"weights-{suffix}",
            ["MogFace:PollInterval"] = (pollInterval ?? TimeSpan.FromMilliseconds(250)).ToString(),
            ["MogFace:ExecutionProvider"] = "Cpu",
            // 2-core machine: one thread per session, concurrency comes from requests.
            ["MogFace:IntraOpThreads"] = "1",
            ["MogFace:CacheDirectory"] = cacheDirectory,
            ["MogFace:InstanceId"] = instanceId,
            ["MogFace:LoadRetryDelay"] = "00:00:00.100",
            ["MogFace:LoadRetryMaxDelay"] = "00:00:01",
            // The lifecycle tests swap BlazeFace front (a 128-px selfie model, AP 0.35 on the golden set) in after back and
            // YuNet (AP 1.0): the accuracy gate records both APs but never rejects here. AccuracyGateTests set the default.
            ["MogFace:AccuracyMargin"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddSingleton<BlobServiceClient>(azurite.CreateClient(policy));
        if (time is not null)
            services.AddSingleton(time);
        services.AddMogFaceRegistry(configuration);
        if (output is not null)
            services.AddLogging(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddProvider(new XunitLoggerProvider(output, instanceId)));
        return new LifecycleInstance(services.BuildServiceProvider(), cacheDirectory);
    }

    /// <summary>Uploads through this instance's ingestion and returns the version; fails the test if refused.</summary>
    public async Task<string> IngestAcceptedAsync(string name, byte[] bytes)
    {
        var outcome = await Ingestion.IngestAsync(name, new MemoryStream(bytes), null, CancellationToken.None);
        Xunit.Assert.True(outcome.Accepted, outcome.Reason);
        return outcome.Version!;
    }

    public async Task StartAsync()
    {
        _started = true;
        foreach (var service in _services.GetServices<IHostedService>())
            await service.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            foreach (var service in _services.GetServices<IHostedService>())
                await service.StopAsync(CancellationToken.None);
        }
        await _services.DisposeAsync();
        Meter.Dispose();
    }
}
