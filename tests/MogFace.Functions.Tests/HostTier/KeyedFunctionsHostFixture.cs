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
