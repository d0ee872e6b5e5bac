using MogFace.Tests.Shared;
using Azure.Core.Pipeline;

namespace MogFace.Server.Tests.Infrastructure;

/// <summary>
/// Tests that need a keyed server of their own (they break its registry or drive its scan), started per test on
/// the keyed collection's Azurite with fresh containers.
/// </summary>
public abstract class OwnServerTests(KeyedServerFixture fixture) : IAsyncLifetime
{
    protected KeyedServerFixture Fixture => fixture;

    protected ServerInstance Server { get; private set; } = null!;

    /// <summary>Configuration over ServerInstance's test defaults.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>A fault-injecting policy for the server's Blob client.</summary>
    protected virtual HttpPipelinePolicy? Policy => null;

    public async Task InitializeAsync() =>
        Server = await ServerInstance.StartAsync(fixture.Azurite, KeyedServerFixture.FunctionKey, KeyedServerFixture.AdminKey, Settings, Policy);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected HttpClient Admin() => Server.CreateClient(KeyedServerFixture.AdminKey);

    /// <summary>Uploads BlazeFace-front (the fastest model) and waits until the server serves it.</summary>
    protected async Task UploadFrontAsync()
    {
        using var admin = Admin();
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "front"))
            await TestHttp.JsonAsync(upload, 201);
        await Server.WaitForModelAsync();
    }
}
