using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Telemetry;

/// <summary>The lifecycle reports through the <c>MogFace</c> meter (what OpenTelemetry exports).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MetricsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly MeterListener _listener = new();
    private LifecycleInstance _instance = null!;

    public Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix());
        var factory = _instance.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MogFaceMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
        return Task.CompletedTask;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _instance.DisposeAsync();
    }

    [Fact]
    public async Task Swaps_loads_ingestion_and_the_active_version_are_measured()
    {
        var accepted = await _instance.Ingestion.IngestAsync("blazeface-back.onnx", new MemoryStream(TestWeights.Back), null, CancellationToken.None);
        await _instance.Ingestion.IngestAsync("junk.onnx", new MemoryStream([1, 2, 3]), null, CancellationToken.None);
        await _instance.StartAsync();
        await _instance.Host.ServesAsync(accepted.Version);
        _instance.Metrics.RecordDetect(accepted.Version!, 12.5);
        _listener.RecordObservableInstruments();

        var byName = _measurements.ToLookup(m => m.Name);
        Assert.Equal(accepted.Version, Assert.Single(byName["mogface.ingestion.accepted"]).Tags["model.version"]);
        Assert.Equal("unloadable", Assert.Single(byName["mogface.ingestion.rejected"]).Tags["reason"]);
        Assert.Single(byName["mogface.model.swaps"]);
        Assert.InRange(Assert.Single(byName["mogface.model.swap.duration"]).Value, 0, 60);
        Assert.Single(byName["mogface.model.load.duration"]);
        Assert.Single(byName["mogface.model.warmup.duration"]);
        Assert.Equal(12.5, Assert.Single(byName["mogface.detect.duration"]).Value);
        var active = Assert.Single(byName["mogface.model.active"]);
        Assert.Equal(accepted.Version, active.Tags["model.version"]);
        Assert.Equal("active", active.Tags["model.role"]);
    }
}
