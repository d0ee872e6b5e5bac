using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>A test's simulated instances on one registry of its own (one container suffix), disposed together.</summary>
internal sealed class InstanceSet(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper? output = null) : IAsyncDisposable
{
    private readonly List<LifecycleInstance> _instances = [];

    public string Suffix { get; } = AzuriteFixture.NewContainerSuffix();

    public LifecycleInstance Add(string id = "instance-a", IDictionary<string, string?>? settings = null)
    {
        var instance = LifecycleInstance.Create(azurite, Suffix, id, settings: settings, output: output);
        _instances.Add(instance);
        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
            await instance.DisposeAsync();
    }
}
