using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>Tests on one simulated instance (not started) over a registry of their own.</summary>
public abstract class OneInstanceTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly InstanceSet _instances = new(azurite);

    internal LifecycleInstance Instance { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Instance = _instances.Add();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instances.DisposeAsync();
}
