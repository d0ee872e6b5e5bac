using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using OpenTelemetry;
using OpenTelemetry.Trace;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Telemetry;

/// <summary>The ingestion and swap spans of one instance, collected with the in-memory exporter.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LifecycleTracingTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_upload_is_one_ingest_span_and_applying_it_is_a_swap_span_with_download_session_and_warmup()
    {
        var spans = new List<Activity>();
        var time = new PollClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var suffix = AzuriteFixture.NewContainerSuffix();
        var instanceId = "tracing-" + suffix;
        await using var instance = LifecycleInstance.Create(azurite, suffix, instanceId, time, Poll, output: output);
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(MogFaceTracing.SourceName).AddInMemoryExporter(spans).Build())
        {
            await instance.StartAsync();
            var version = await instance.IngestAcceptedAsync($"traced-{suffix}.onnx", TestWeights.Back);
            await instance.PollNowAsync(time, Poll);
            await instance.Host.ServesAsync(version);
            tracing.ForceFlush();

            var ingest = Assert.Single(spans, s => s.OperationName == MogFaceTracing.IngestSpan && (string?)s.GetTagItem(MogFaceTracing.ModelVersion) == version);
            Assert.Equal("accepted", ingest.GetTagItem(MogFaceTracing.Outcome));
            Assert.Equal($"traced-{suffix}.onnx", ingest.GetTagItem(MogFaceTracing.WeightsBlob));

            var swap = Assert.Single(spans, s => s.OperationName == MogFaceTracing.SwapSpan && (string?)s.GetTagItem(MogFaceTracing.Instance) == instanceId);
            Assert.Equal(version, swap.GetTagItem(MogFaceTracing.ModelVersion));
            Assert.Equal(ActivityStatusCode.Unset, swap.Status);
            var load = Assert.Single(spans, s => s.ParentSpanId == swap.SpanId);
            Assert.Equal((MogFaceTracing.LoadSpan, version), (load.OperationName, (string?)load.GetTagItem(MogFaceTracing.ModelVersion)));
            Assert.Equal(["mogface.download", "mogface.session", "mogface.warmup"],
                spans.Where(s => s.ParentSpanId == load.SpanId).OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName));
        }
    }
}
