using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using MogFace.Http;

namespace MogFace.Http.Tests;

public class TelemetryExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddMogFaceTelemetry(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_exported()
    {
        using var provider = Build(new() { [TelemetryExtensions.ConnectionStringKey] = "" });
        Assert.Null(provider.GetService<MeterProvider>());
        Assert.Null(provider.GetService<TracerProvider>());
    }

    [Fact]
    public void With_a_connection_string_the_meter_is_exported()
    {
        using var provider = Build(new()
        {
            [TelemetryExtensions.ConnectionStringKey] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
        });
        Assert.NotNull(provider.GetService<MeterProvider>());
        Assert.NotNull(provider.GetService<TracerProvider>());
    }

    [Fact]
    public void With_an_otlp_endpoint_metrics_and_traces_are_exported()
    {
        using var provider = Build(new() { [TelemetryExtensions.OtlpEndpointKey] = "http://127.0.0.1:4317" });
        Assert.NotNull(provider.GetService<MeterProvider>());
        Assert.NotNull(provider.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("Authorization=Key", false)]
    [InlineData("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555", true)]
    [InlineData("Authorization=AAD", true)]
    public void Entra_auth_uses_a_managed_identity(string? authentication, bool expectCredential)
    {
        var credential = TelemetryExtensions.CredentialFor(authentication);
        Assert.Equal(expectCredential, credential is ManagedIdentityCredential);
    }
}
