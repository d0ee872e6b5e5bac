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
