using MogFace.Tests.Contract;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests.Infrastructure;

/// <summary>Azurite + a server with both keys configured and the default model uploaded through the admin route.</summary>
public sealed class KeyedServerFixture : KeyedEndpointFixture
{
    public const string FunctionKey = ContractKeys.Function;
    public const string AdminKey = ContractKeys.Admin;

    public ServerInstance Server => (ServerInstance)Endpoint;

    protected override async Task<IServiceEndpoint> StartEndpointAsync(AzuriteFixture azurite, string functionKey, string adminKey) =>
        await ServerInstance.StartAsync(azurite, functionKey, adminKey);
}

[CollectionDefinition(Name)]
public sealed class KeyedServerCollection : ICollectionFixture<KeyedServerFixture>
{
    public const string Name = "Keyed server";
}
