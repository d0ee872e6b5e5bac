using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MogFace.Registry;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Telemetry;
using MogFace.Registry.Administration;

namespace MogFace.Registry.Tests;

/// <summary><c>AddMogFaceRegistry</c>: configuration binding, storage client choice and instance identity.</summary>
public sealed class DependencyInjectionTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddMogFaceRegistry(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Registers_the_lifecycle_services_from_a_connection_string()
    {
        using var services = Build(new()
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["MogFace:PollInterval"] = "00:00:02",
            ["MogFace:ModelsContainer"] = "registry",
            ["MogFace:InstanceId"] = "replica-7",
        });

        Assert.Equal(TimeSpan.FromSeconds(2), services.GetRequiredService<IOptions<MogFaceOptions>>().Value.PollInterval);
        Assert.Equal("127.0.0.1", services.GetRequiredService<BlobServiceClient>().Uri.Host);
        var provider = services.GetRequiredService<IModelProvider>();
        Assert.Equal("replica-7", provider.InstanceId);
        Assert.False(provider.IsReady);
        Assert.Equal([typeof(ModelReconciler), typeof(AsyncUploads)], services.GetServices<IHostedService>().Select(s => s.GetType()));
        Assert.NotNull(services.GetRequiredService<IWeightsIngestion>());
        Assert.NotNull(services.GetRequiredService<IModelAdmin>());
        Assert.NotNull(services.GetRequiredService<MogFaceMetrics>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Uses_identity_based_storage_when_only_the_blob_service_uri_is_set()
    {
        using var services = Build(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://mogface.blob.core.windows.net",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.Equal("mogface.blob.core.windows.net", services.GetRequiredService<BlobServiceClient>().Uri.Host);
    }

    [Fact]
    public void Says_what_to_set_when_storage_is_not_configured()
    {
        using var services = Build(new());
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<BlobServiceClient>());
        Assert.Contains("AzureWebJobsStorage", error.Message);
    }

    [Fact]
    public void Instance_id_comes_from_options_then_the_host_environment_then_the_machine()
    {
        var env = new Dictionary<string, string?> { ["CONTAINER_APP_REPLICA_NAME"] = "ca-replica", ["WEBSITE_INSTANCE_ID"] = "app-service" };
        Assert.Equal("configured", InstanceIdentity.Resolve(new MogFaceOptions { InstanceId = "configured" }, env.GetValueOrDefault));
        Assert.Equal("ca-replica", InstanceIdentity.Resolve(new MogFaceOptions(), env.GetValueOrDefault));
        env.Remove("CONTAINER_APP_REPLICA_NAME");
        Assert.Equal("app-service", InstanceIdentity.Resolve(new MogFaceOptions(), env.GetValueOrDefault));
        Assert.Equal(Environment.MachineName, InstanceIdentity.Resolve(new MogFaceOptions(), _ => null));
    }
}
