using MogFace.Core.Tests.Infrastructure;

namespace MogFace.Server.Tests.Infrastructure;

/// <summary>Azurite + a server with both keys configured and the default model uploaded through the admin route.</summary>
public sealed class KeyedServerFixture : IAsyncLifetime
{
    public const string FunctionKey = "function-key-for-tests";
    public const string AdminKey = "admin-key-for-tests";

    public AzuriteFixture Azurite { get; } = new();
    public ServerInstance Server { get; private set; } = null!;
    public string ModelVersion { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Server = await ServerInstance.StartAsync(Azurite, FunctionKey, AdminKey);
        using var admin = Server.CreateClient(AdminKey);
        using var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.Back), "blazeface-back");
        var version = (await Http.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        ModelVersion = await Server.WaitForModelAsync(version);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class KeyedServerCollection : ICollectionFixture<KeyedServerFixture>
{
    public const string Name = "Keyed server";
}
