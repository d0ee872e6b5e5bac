using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Telemetry;

public class ServiceStatsTests
{
    [Fact]
    public void Counts_the_meters_measurements_and_keeps_latency_per_version_for_one_minute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var scope = new object();
        using var stats = new ServiceStats(time, scope);
        using var meter = new Meter(new MeterOptions(ServiceStats.MeterName) { Scope = scope });
        var latency = meter.CreateHistogram<double>("mogface.detect.duration");
        var swaps = meter.CreateCounter<long>("mogface.model.swaps");
        var errors = meter.CreateCounter<long>("mogface.detect.errors");

        for (var i = 1; i <= 100; i++)
            latency.Record(i, new KeyValuePair<string, object?>("model.version", "v1"));
        latency.Record(7, new KeyValuePair<string, object?>("model.version", "v2"));
        swaps.Add(2);
        errors.Add(1);

        var snapshot = stats.Snapshot();
        Assert.Equal(101, snapshot.Requests);
        Assert.Equal(2, snapshot.Swaps);
        Assert.Equal(1, snapshot.Errors);
        var v1 = snapshot.Latency.Single(l => l.Version == "v1");
        Assert.Equal((100, 50, 99), (v1.Requests, v1.P50Ms, v1.P99Ms));

        time.Advance(TimeSpan.FromSeconds(61));
        latency.Record(3, new KeyValuePair<string, object?>("model.version", "v2"));
        var later = stats.Snapshot();
        Assert.Equal(["v2"], later.Latency.Select(l => l.Version));
        Assert.Equal(1, later.Latency[0].Requests);
        Assert.Equal(102, later.Requests); // totals are since start
    }

    [Fact]
    public void Ignores_other_meters_and_other_scopes()
    {
        var scope = new object();
        using var stats = new ServiceStats(TimeProvider.System, scope);
        using var other = new Meter(new MeterOptions("SomethingElse") { Scope = scope });
        other.CreateHistogram<double>("mogface.detect.duration").Record(5);
        using var otherHost = new Meter(new MeterOptions(ServiceStats.MeterName) { Scope = new object() });
        otherHost.CreateHistogram<double>("mogface.detect.duration").Record(5);
        Assert.Equal(0, stats.Snapshot().Requests);
    }

    [Fact]
    public void A_version_silent_for_the_retention_leaves_the_map_and_at_most_MaxVersions_are_kept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var scope = new object();
        using var stats = new ServiceStats(time, scope);
        using var meter = new Meter(new MeterOptions(ServiceStats.MeterName) { Scope = scope });
        var latency = meter.CreateHistogram<double>("mogface.detect.duration");
        void Serve(string version) => latency.Record(5, new KeyValuePair<string, object?>("model.version", version));

        Serve("old");
        time.Advance(ServiceStats.Retention - TimeSpan.FromSeconds(1));
        Serve("current");
        stats.Snapshot();
        Assert.Equal(2, stats.TrackedVersions); // "old" is within the retention still

        time.Advance(TimeSpan.FromSeconds(2));
        stats.Snapshot();
        Assert.Equal(1, stats.TrackedVersions);

        // A swap every few seconds for a long life: never more than MaxVersions windows, the newest kept.
        for (var i = 0; i < 3 * ServiceStats.MaxVersions; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            Serve($"v{i}");
            Assert.True(stats.TrackedVersions <= ServiceStats.MaxVersions, $"{stats.TrackedVersions} windows after {i + 1} versions");
        }
        Assert.Equal(ServiceStats.MaxVersions, stats.TrackedVersions);
        Assert.Contains(stats.Traffic(TimeSpan.FromMinutes(1)), t => t.Version == $"v{3 * ServiceStats.MaxVersions - 1}");
    }

    [Fact]
    public void A_longer_traffic_window_keeps_a_silent_version_for_that_long()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var scope = new object();
        using var stats = new ServiceStats(time, scope);
        using var meter = new Meter(new MeterOptions(ServiceStats.MeterName) { Scope = scope });
        meter.CreateHistogram<double>("mogface.detect.duration").Record(5, new KeyValuePair<string, object?>("model.version", "v1"));
        var window = ServiceStats.Retention * 2;

        time.Advance(ServiceStats.Retention + TimeSpan.FromMinutes(1));
        Assert.Equal("v1", Assert.Single(stats.Traffic(window)).Version);
        stats.Snapshot();
        Assert.Equal(1, stats.TrackedVersions);
    }
}
