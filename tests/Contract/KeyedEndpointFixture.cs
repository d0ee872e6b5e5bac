using MogFace.Tests.Shared;

namespace MogFace.Tests.Contract;

/// <summary>The two keys every keyed endpoint is started with.</summary>
public static class ContractKeys
{
    public const string Function = "function-key-for-tests";
    public const string Admin = "admin-key-for-tests";
}

/// <summary>An endpoint with both keys configured, serving the default model.</summary>
public interface IKeyedEndpointFixture
{
    IServiceEndpoint Endpoint { get; }
    string ModelVersion { get; }
}

/// <summary>
/// Azurite + one endpoint of either host with both keys configured and the default model uploaded through the
/// admin route. Each host's test project derives one fixture from this and runs the same contract classes on it.
/// </summary>
public abstract class KeyedEndpointFixture : IKeyedEndpointFixture, IAsyncLifetime
{
    private IServiceEndpoint? _endpoint;

    public AzuriteFixture Azurite { get; } = new();
    public IServiceEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException("The fixture is not started.");
    public string ModelVersion { get; private set; } = null!;

    protected abstract Task<IServiceEndpoint> StartEndpointAsync(AzuriteFixture azurite, string functionKey, string adminKey);

    public virtual async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        _endpoint = await StartEndpointAsync(Azurite, ContractKeys.Function, ContractKeys.Admin);
        using var admin = Endpoint.CreateClient(ContractKeys.Admin);
        using var upload = await ServiceEndpoint.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "blazeface-back");
        var version = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        ModelVersion = await Endpoint.WaitForModelAsync(version);
    }

    public async Task DisposeAsync()
    {
        if (_endpoint is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
