using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Contract;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

// The HTTP contract (tests/Contract) against the standalone server; MogFace.Functions.Tests runs the same
// classes against the Functions app under the real Functions host.

[Collection(KeyedServerCollection.Name)]
public sealed class ServerDetectTests(KeyedServerFixture fixture) : DetectContract(fixture);

[Collection(KeyedServerCollection.Name)]
public sealed class ServerBadRequestTests(KeyedServerFixture fixture) : BadRequestContract(fixture);

[Collection(KeyedServerCollection.Name)]
public sealed class ServerKeysTests(KeyedServerFixture fixture) : KeysContract(fixture)
{
    protected override async Task<IServiceEndpoint> StartAsync(AzuriteFixture azurite, string? functionKey, string? adminKey) =>
        await ServerInstance.StartAsync(azurite, functionKey, adminKey);
}

[Collection(KeyedServerCollection.Name)]
public sealed class ServerHealthProbesTests(KeyedServerFixture fixture) : HealthProbesContract(fixture)
{
    protected override async Task<IServiceEndpoint> StartAsync(AzuriteFixture azurite) =>
        await ServerInstance.StartAsync(azurite, ContractKeys.Function, ContractKeys.Admin);
}

[Collection(KeyedServerCollection.Name)]
public sealed class ServerAsyncUploadTests(KeyedServerFixture fixture) : AsyncUploadContract(fixture);

/// <summary>A server of its own with two versions: the lifecycle tests move its pointer.</summary>
public sealed class ServerTwoVersionFixture : TwoVersionEndpointFixture
{
    protected override async Task<IServiceEndpoint> StartEndpointAsync(AzuriteFixture azurite, string functionKey, string adminKey) =>
        await ServerInstance.StartAsync(azurite, functionKey, adminKey);
}

public sealed class ServerVersionLifecycleTests(ServerTwoVersionFixture fixture) : VersionLifecycleContract(fixture), IClassFixture<ServerTwoVersionFixture>;
