using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Serving;

/// <summary>The readiness decision (<c>/api/health/ready</c>) on a fake clock: empty registry, serving, registry out of reach.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReadinessTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
    private readonly PollClock _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly PointerOutage _outage = new();
    private LifecycleInstance _instance = null!;

    public Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix(), time: _time, pollInterval: Poll,
            settings: new Dictionary<string, string?> { ["MogFace:RegistryStaleAfter"] = "00:00:30" }, policy: _outage, output: output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    [Fact]
    public async Task Ready_on_an_empty_registry_and_while_serving_then_not_ready_after_the_registry_is_silent_for_the_window()
    {
        var readiness = _instance.Services.GetRequiredService<IReadiness>();
        Assert.Equal("registry-unreachable", readiness.Check().Status); // not polled yet
        await _instance.StartAsync();
        await _time.WhenPollersWaitAsync(Poll).WaitAsync(ReconcilerSteps.Timeout);
        var empty = readiness.Check();
        Assert.True(empty.Ready);
        Assert.Equal("empty", empty.Status);

        var v1 = await _instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await _instance.PollNowAsync(_time, Poll);
        await _instance.Host.ServesAsync(v1);
        var serving = readiness.Check();
        Assert.True(serving.Ready);
        Assert.Equal(("ready", v1), (serving.Status, serving.ModelVersion));

        // The pointer cannot be read: still ready within 30 s of the last answer, not ready past it, while the
        // loaded model keeps serving requests.
        _outage.Down = true;
        Assert.False(await _instance.PollNowAsync(_time, Poll)); // ~12 s
        Assert.False(await _instance.PollNowAsync(_time, Poll)); // ~24 s
        Assert.True(readiness.Check().Ready);
        Assert.False(await _instance.PollNowAsync(_time, Poll)); // ~36 s
        var silent = readiness.Check();
        Assert.False(silent.Ready);
        Assert.Equal(("registry-unreachable", v1), (silent.Status, silent.ModelVersion));
        Assert.Contains("MogFace__RegistryStaleAfter", silent.Detail);
        using (var lease = _instance.Provider.TryAcquire(null))
            Assert.Equal(v1, lease!.Model.Version);

        _outage.Down = false;
        Assert.True(await _instance.PollNowAsync(_time, Poll));
        Assert.True(readiness.Check().Ready);
    }

    /// <summary>Fails every request for the pointer while <see cref="Down"/> is set, as a storage outage would.</summary>
    private sealed class PointerOutage : HttpPipelinePolicy
    {
        private volatile bool _down;

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Check(HttpMessage message)
        {
            if (_down && message.Request.Uri.Path.EndsWith("/pointer.json", StringComparison.Ordinal))
                throw new RequestFailedException(503, "injected storage outage");
        }
    }
}
