using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MogFace.Functions.Functions;
using MogFace.Http;
using MogFace.Tests.Shared;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Functions.Tests.Infrastructure;

/// <summary>
/// The Functions app's services as Program.cs registers them (AddMogFaceService + the trigger handler) against a
/// real Azurite with containers of its own, the hosted services (model watcher) started. Function classes are
/// created from it and invoked with DefaultHttpContext-built requests.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private readonly string _cache;

    private FunctionsHost(ServiceProvider services, List<IHostedService> hosted, BlobContainerClient weights, string cache)
    {
        _services = services;
        _hosted = hosted;
        Weights = weights;
        _cache = cache;
    }

    public IServiceProvider Services => _services;
    public BlobContainerClient Weights { get; }
    public IModelProvider Models => _services.GetRequiredService<IModelProvider>();

    public static async Task<FunctionsHost> StartAsync(AzuriteFixture azurite)
    {
        var suffix = AzuriteFixture.NewContainerSuffix();
        var cache = Path.Combine(Path.GetTempPath(), "mogface-functions-tests-" + suffix);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["MogFace:WeightsContainer"] = "weights-" + suffix,
            ["MogFace:ModelsContainer"] = "models-" + suffix,
            ["MogFace:PollInterval"] = "00:00:00.300",
            // The lifecycle tests swap BlazeFace front (a 128-px selfie model, AP 0.35 on the golden set) in after back and
            // YuNet (AP 1.0): the accuracy gate records both APs but never rejects here. AccuracyGateTests set the default.
            ["MogFace:AccuracyMargin"] = "1",
            ["MogFace:ExecutionProvider"] = "cpu",
            ["MogFace:CacheDirectory"] = cache,
            ["MogFace:InstanceId"] = "functions-test-" + suffix,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        var blobs = azurite.CreateClient();
        services.AddSingleton(blobs);
        services.AddMogFaceService(configuration);
        services.AddSingleton<WeightsTriggerHandler>();
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
            await service.StartAsync(CancellationToken.None);
        var weights = blobs.GetBlobContainerClient("weights-" + suffix);
        await weights.CreateIfNotExistsAsync();
        return new FunctionsHost(provider, hosted, weights, cache);
    }

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>A request the way the worker's ASP.NET Core integration hands it to a function.</summary>
    public HttpRequest Request(string method, string path, byte[]? body = null, string? contentType = null, string? query = null)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost", 7071);
        context.Request.Path = path;
        if (query is not null)
            context.Request.QueryString = new QueryString("?" + query);
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
        }
        context.Request.ContentType = contentType;
        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    /// <summary>Executes the function's IResult into its response, as the worker middleware does.</summary>
    public static async Task<Answer> ExecuteAsync(HttpRequest request, IResult result)
    {
        await result.ExecuteAsync(request.HttpContext);
        var response = request.HttpContext.Response;
        var bytes = ((MemoryStream)response.Body).ToArray();
        return new Answer(response.StatusCode, response.ContentType, response.Headers, bytes);
    }

    public async Task WaitForModelAsync(string version)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (true)
        {
            using (var lease = Models.TryAcquire(null))
            {
                if (lease?.Model.Version == version)
                    return;
            }
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"{version} was not loaded in time");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _hosted)
            await service.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        try { Directory.Delete(_cache, recursive: true); } catch (IOException) { }
    }
}

public sealed record Answer(int Status, string? ContentType, IHeaderDictionary Headers, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement AssertProblem(int status, string code)
    {
        Assert.True(Status == status, $"expected {status}, got {Status}: {System.Text.Encoding.UTF8.GetString(Body)}");
        Assert.Equal("application/problem+json", ContentType);
        Assert.Equal(code, Json.GetProperty("code").GetString());
        return Json;
    }

    public JsonElement AssertJson(int status = 200)
    {
        Assert.True(Status == status, $"expected {status}, got {Status}: {System.Text.Encoding.UTF8.GetString(Body)}");
        Assert.StartsWith("application/json", ContentType);
        return Json;
    }
}
