using MogFace.Tests.Shared;

namespace MogFace.Functions.Tests.HostTier;

/// <summary>Azurite + the published Functions app under the real host, both keys configured, the default model uploaded.</summary>
public sealed class KeyedFunctionsHostFixture : KeyedEndpointFixture
{
    public FunctionsHostProcess Host => (FunctionsHostProcess)Endpoint;

    protected override async Task<IServiceEndpoint> StartEndpointAsync(AzuriteFixture azurite, string functionKey, string adminKey) =>
        await FunctionsHostProcess.StartAsync(azurite, functionKey, adminKey);
}

[CollectionDefinition(Name)]
public sealed class KeyedFunctionsHostCollection : ICollectionFixture<KeyedFunctionsHostFixture>
{
    public const string Name = "Keyed Functions host";
}

// The HTTP contract (tests/Contract) against the Functions app under the real Functions host; MogFace.Server.Tests
// runs the same classes against the standalone server.

[Collection(KeyedFunctionsHostCollection.Name)]
public sealed class FunctionsHostDetectTests(KeyedFunctionsHostFixture fixture) : DetectContract(fixture);

[Collection(KeyedFunctionsHostCollection.Name)]
public sealed class FunctionsHostBadRequestTests(KeyedFunctionsHostFixture fixture) : BadRequestContract(fixture);

[Collection(KeyedFunctionsHostCollection.Name)]
public sealed class FunctionsHostKeysTests(KeyedFunctionsHostFixture fixture) : KeysContract(fixture)
{
    protected override async Task<IServiceEndpoint> StartAsync(AzuriteFixture azurite, string? functionKey, string? adminKey) =>
        await FunctionsHostProcess.StartAsync(azurite, functionKey, adminKey);

    /// <summary>Deployed (not Development) without any key configured, the app refuses every keyed route instead of running open.</summary>
    [Fact]
    public async Task A_deployed_app_without_keys_fails_closed()
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            await using var host = await FunctionsHostProcess.StartAsync(azurite, settings: new Dictionary<string, string?> { ["FUNCHOST_ENVIRONMENT"] = "Production" });
            using var client = host.CreateClient();
            using (var list = await client.GetAsync("api/models"))
                await TestHttp.AssertProblemAsync(list, 401, "unauthorized");
            using (var detect = await client.PostAsync("api/detect", TestHttp.ImageContent(File.ReadAllBytes(RepoPaths.GraceHopper), "image/jpeg")))
                await TestHttp.AssertProblemAsync(detect, 401, "unauthorized");
            using var health = await client.GetAsync("api/health");
            await TestHttp.AssertProblemAsync(health, 503, "model-not-ready");
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }
}

[Collection(KeyedFunctionsHostCollection.Name)]
public sealed class FunctionsHostHealthProbesTests(KeyedFunctionsHostFixture fixture) : HealthProbesContract(fixture)
{
    protected override async Task<IServiceEndpoint> StartAsync(AzuriteFixture azurite) =>
        await FunctionsHostProcess.StartAsync(azurite, ContractKeys.Function, ContractKeys.Admin);
}

[Collection(KeyedFunctionsHostCollection.Name)]
public sealed class FunctionsHostAsyncUploadTests(KeyedFunctionsHostFixture fixture) : AsyncUploadContract(fixture);

/// <summary>A Functions host of its own with two versions: the lifecycle tests move its pointer.</summary>
public sealed class FunctionsHostTwoVersionFixture : TwoVersionEndpointFixture
{
    protected override async Task<IServiceEndpoint> StartEndpointAsync(AzuriteFixture azurite, string functionKey, string adminKey) =>
        await FunctionsHostProcess.StartAsync(azurite, functionKey, adminKey);
}

public sealed class FunctionsHostVersionLifecycleTests(FunctionsHostTwoVersionFixture fixture) : VersionLifecycleContract(fixture), IClassFixture<FunctionsHostTwoVersionFixture>;
