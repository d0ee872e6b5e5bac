using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Server;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests.Infrastructure;

/// <summary>
/// The real standalone server (the same <see cref="MogFaceServer.Build"/> as Program.cs) on real Kestrel,
/// bound to 127.0.0.1:0 (a free port read back after start), against a real Azurite with containers of its
/// own. Tests talk to it over real HTTP.
/// </summary>
public sealed class ServerInstance : IAsyncDisposable
{
    public const long MaxImageBytes = 1024 * 1024;
    public const long MaxImagePixels = 4_000_000;

    private readonly string _cache;

    private ServerInstance(WebApplication app, Uri baseAddress, BlobContainerClient weights, BlobContainerClient models, string cache)
    {
        _cache = cache;
        App = app;
        BaseAddress = baseAddress;
        Weights = weights;
        Models = models;
    }

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

    public HttpClient CreateClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        return client;
    }

    /// <summary>Polls GET /api/health until it answers 200 with <paramref name="version"/> (any version when null).</summary>
    public async Task<string> WaitForModelAsync(string? version = null, TimeSpan? timeout = null)
    {
        using var client = CreateClient();
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        string? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await client.GetAsync("api/health");
            last = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var served = JsonDocument.Parse(last).RootElement.GetProperty("modelVersion").GetString()!;
                if (version is null || served == version)
                    return served;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not serve {version ?? "a model"} in time; last health: {last}");
    }

    /// <summary>POST /api/models with the weights; returns the response.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] weights, string name)
    {
        var content = new ByteArrayContent(weights);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync($"api/models?name={Uri.EscapeDataString(name)}", content);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(_cache, recursive: true); } catch (IOException) { }
    }
}
