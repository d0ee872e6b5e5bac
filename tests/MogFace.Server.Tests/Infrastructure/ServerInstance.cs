using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Server;
using MogFace.Tests.Contract;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests.Infrastructure;

/// <summary>
/// The real standalone server (the same <see cref="MogFaceServer.Build"/> as Program.cs) on real Kestrel,
/// bound to 127.0.0.1:0 (a free port read back after start), against a real Azurite with containers of its
/// own. Tests talk to it over real HTTP.
/// </summary>
public sealed class ServerInstance : IServiceEndpoint, IAsyncDisposable
{
    public const long MaxImageBytes = ServiceEndpoint.MaxImageBytes;
    public const long MaxImagePixels = ServiceEndpoint.MaxImagePixels;

    private readonly string _cache;

    private ServerInstance(WebApplication app, Uri baseAddress, BlobContainerClient weights, BlobContainerClient models, string cache)
    {
        _cache = cache;
        App = app;
        BaseAddress = baseAddress;
        Weights = weights;
        Models = models;
    }

    public string HostKind => "server";
    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public BlobContainerClient Weights { get; }
    public BlobContainerClient Models { get; }

    /// <param name="settings">Overrides of the test defaults below (e.g. a long MogFace:PollInterval to keep the background scan out of the way).</param>
    /// <param name="policy">A fault-injecting pipeline policy for the server's Blob client.</param>
    public static async Task<ServerInstance> StartAsync(AzuriteFixture azurite, string? functionKey = null, string? adminKey = null,
        IDictionary<string, string?>? settings = null, Azure.Core.Pipeline.HttpPipelinePolicy? policy = null)
    {
        var suffix = AzuriteFixture.NewContainerSuffix();
        var cache = Path.Combine(Path.GetTempPath(), "mogface-server-tests-" + suffix);
        var blobs = azurite.CreateClient(policy);
        var values = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["MogFace:WeightsContainer"] = "weights-" + suffix,
            ["MogFace:ModelsContainer"] = "models-" + suffix,
            ["MogFace:PollInterval"] = "00:00:00.300",
            ["MogFace:ExecutionProvider"] = "cpu",
            ["MogFace:MaxImageBytes"] = MaxImageBytes.ToString(),
            ["MogFace:MaxImagePixels"] = MaxImagePixels.ToString(),
            ["MogFace:CacheDirectory"] = cache,
            ["MogFace:InstanceId"] = "test-" + suffix,
            ["MogFace:FunctionKey"] = functionKey,
            ["MogFace:AdminKey"] = adminKey,
            // The lifecycle tests swap BlazeFace front (a 128-px selfie model, AP 0.35 on the golden set) in after back and
            // YuNet (AP 1.0): the accuracy gate records both APs but never rejects here. AccuracyGateTests set the default.
            ["MogFace:AccuracyMargin"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var app = MogFaceServer.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Services.AddSingleton(blobs); // one fast retry: a test must not wait minutes on storage
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ServerInstance(app, new Uri(address), blobs.GetBlobContainerClient("weights-" + suffix), blobs.GetBlobContainerClient("models-" + suffix), cache);
    }

    public HttpClient CreateClient(string? key = null) => ServiceEndpoint.CreateClient(BaseAddress, key);

    /// <summary>Polls GET /api/health until it answers 200 with <paramref name="version"/> (any version when null).</summary>
    public Task<string> WaitForModelAsync(string? version = null, TimeSpan? timeout = null) =>
        ServiceEndpoint.WaitForModelAsync(this, version, timeout);

    /// <summary>POST /api/models with the weights; returns the response.</summary>
    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] weights, string name) =>
        ServiceEndpoint.UploadAsync(client, weights, name);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(_cache, recursive: true); } catch (IOException) { }
    }
}
