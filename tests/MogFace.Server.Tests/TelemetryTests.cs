using System.Diagnostics;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Contract;
using OpenTelemetry;
using OpenTelemetry.Trace;
using MogFace.Http;
using MogFace.Registry.Telemetry;

namespace MogFace.Server.Tests;

/// <summary>What operators scrape and trace on the standalone server: Prometheus text at /metrics, and the spans of a detect request.</summary>
[Collection(KeyedServerCollection.Name)]
public sealed class TelemetryTests(KeyedServerFixture fixture)
{
    [Fact]
    public async Task Metrics_lists_detect_duration_per_version_swap_duration_ingestion_http_duration_and_runtime_cpu_as_prometheus_text()
    {
        using (var detect = await fixture.Server.CreateClient(ContractKeys.Function).PostAsync("api/detect", TestHttp.ImageFile("grace_hopper_512x512.jpg")))
            Assert.Equal(200, (int)detect.StatusCode);
        using var response = await fixture.Server.CreateClient().GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        string[] expected =
        [
            "mogface_detect_duration_milliseconds_bucket{", $"model_version=\"{fixture.ModelVersion}\"",
            "mogface_model_swap_duration_seconds_count", "mogface_ingestion_accepted_total{", "http_server_request_duration_seconds_bucket{",
            // The runtime's own: what `mogface bench http` reads the server's CPU time from.
            "dotnet_process_cpu_time_seconds_total{", "dotnet_gc_collections_total{",
        ];
        var missing = expected.Where(e => !text.Contains(e, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"/metrics lacks {string.Join(", ", missing)}:\n{text}");
    }

    [Fact]
    public async Task A_detect_request_is_one_span_with_the_model_version_and_a_child_span_per_stage()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
                   // As AddMogFaceTelemetry configures tracing: the MogFace source under ASP.NET Core's request spans.
                   .AddSource(MogFaceTracing.SourceName).AddAspNetCoreInstrumentation().AddInMemoryExporter(spans).Build())
        {
            using var detect = await fixture.Server.CreateClient(ContractKeys.Function).PostAsync("api/detect", TestHttp.ImageFile("sample5.jpg"));
            Assert.Equal(200, (int)detect.StatusCode);
            tracing.ForceFlush();
        }

        var root = Assert.Single(spans, s => s.OperationName == MogFaceTracing.DetectSpan);
        // Its parent is ASP.NET Core's request span, recorded (so the default sampler keeps the MogFace spans).
        // Read in process: the request span itself is exported only after the response has gone out.
        Assert.NotNull(root.Parent);
        Assert.Equal((root.ParentSpanId, true), (root.Parent.SpanId, root.Parent.Recorded));
        Assert.Equal("POST", root.Parent.GetTagItem("http.request.method"));
        Assert.Equal(fixture.ModelVersion, root.GetTagItem(MogFaceTracing.ModelVersion));
        Assert.Equal(5, root.GetTagItem(MogFaceTracing.Faces));
        Assert.Equal(false, root.GetTagItem(MogFaceTracing.Canary));
        var stages = spans.Where(s => s.ParentSpanId == root.SpanId).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(MogFaceTracing.Stages.Select(s => "mogface." + s), stages.Select(s => s.OperationName));
        Assert.All(stages, s =>
        {
            Assert.Equal(root.TraceId, s.TraceId);
            Assert.Equal(fixture.ModelVersion, s.GetTagItem(MogFaceTracing.ModelVersion));
            Assert.True(s.StartTimeUtc >= root.StartTimeUtc && s.StartTimeUtc + s.Duration <= root.StartTimeUtc + root.Duration + TimeSpan.FromMilliseconds(1),
                $"{s.OperationName} lies outside the detect span");
        });
        Assert.True(stages.Single(s => s.OperationName == "mogface.inference").Duration > TimeSpan.Zero);
    }
}
