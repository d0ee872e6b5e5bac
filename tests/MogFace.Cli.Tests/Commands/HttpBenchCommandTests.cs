using System.Text.Json;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Commands;

/// <summary>
/// <c>mogface bench http --json</c> against the real standalone server (real Kestrel, real Azurite, BlazeFace
/// front uploaded through the admin route): one object per concurrency level, 1, 2, 4 and 8 by default.
/// </summary>
public sealed class HttpBenchCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string FunctionKey = "bench-function-key", AdminKey = "bench-admin-key";

    [Fact]
    public async Task Each_default_concurrency_level_reports_http_and_in_process_latency_throughput_stages_and_cpu_per_request()
    {
        await using var server = await ServingBlazeFaceFrontAsync();

        var r = await CliProcess.RunAsync("bench", "http", "--json", "--url", server.BaseAddress.ToString(), "--key", FunctionKey,
            "--image", Path.Combine(RepoPaths.Root, "tests", "images", "grace_hopper_512x512.jpg"),
            "--model", RepoPaths.BlazeFaceFront, "--requests", "8", "--warmup", "1",
            "--probe", Path.Combine(RepoPaths.Root, "tests", "images", "640px-IceBlockNearJoekullsarlon.jpg"));

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var document = JsonDocument.Parse(r.Stdout);
        var levels = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal([1, 2, 4, 8], levels.Select(l => l.GetProperty("concurrency").GetInt32()));
        foreach (var level in levels)
        {
            double Value(string name) => level.GetProperty(name).GetDouble();
            Assert.True(Value("http_p50_ms") > 0 && Value("http_p99_ms") >= Value("http_p50_ms") && Value("http_rps") > 0, level.ToString());
            // The server's own decode → faces is part of the round trip it answered.
            Assert.InRange(Value("http_server_p50_ms"), double.Epsilon, Value("http_p99_ms"));
            Assert.True(Value("inproc_p50_ms") > 0 && Value("inproc_rps") > 0, level.ToString());
            // CPU per request on each side: the engine's process, and the server (from its /metrics) and client over HTTP.
            Assert.True(Value("inproc_cpu_ms") > 0 && Value("http_server_cpu_ms") > 0 && Value("http_client_cpu_ms") > 0, level.ToString());
            // Each side's own stages: every request's total covers each of its stages, so the p50s keep that order.
            foreach (var side in new[] { "inproc_stages_ms", "http_server_stages_ms" })
            {
                var stages = level.GetProperty(side);
                double Stage(string name) => stages.GetProperty(name).GetDouble();
                Assert.True(Stage("inference") > 0, $"{side}: {stages}");
                foreach (var stage in new[] { "decode", "preprocess", "inference", "postprocess" })
                    Assert.InRange(Stage(stage), 0, Stage("total"));
            }
            Assert.Equal(Value("http_server_p50_ms"), level.GetProperty("http_server_stages_ms").GetProperty("total").GetDouble());
            // The third side: the engine again while the probe was posted at the HTTP side's rate, and answered.
            var probed = level.GetProperty("inproc_with_probe");
            double Probed(string name) => probed.GetProperty(name).GetDouble();
            Assert.True(Probed("p50_ms") > 0 && Probed("rps") > 0 && Probed("probe_rps") > 0 && Probed("probe_p50_ms") > 0, probed.ToString());
            Assert.True(probed.GetProperty("stages_ms").GetProperty("inference").GetDouble() > 0, probed.ToString());
        }
    }

    [Fact]
    public async Task Without_a_probe_there_is_no_third_side()
    {
        await using var server = await ServingBlazeFaceFrontAsync();

        var r = await CliProcess.RunAsync("bench", "http", "--json", "--url", server.BaseAddress.ToString(), "--key", FunctionKey,
            "--image", Path.Combine(RepoPaths.Root, "tests", "images", "grace_hopper_512x512.jpg"),
            "--model", RepoPaths.BlazeFaceFront, "--concurrency", "1", "--requests", "2", "--warmup", "0");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var document = JsonDocument.Parse(r.Stdout);
        Assert.False(document.RootElement[0].TryGetProperty("inproc_with_probe", out _), r.Stdout);
    }

    [Fact]
    public async Task A_probe_that_does_not_exist_is_an_error_before_any_request()
    {
        var r = await CliProcess.RunAsync("bench", "http", "--json", "--url", "http://127.0.0.1:9/",
            "--image", Path.Combine(RepoPaths.Root, "tests", "images", "grace_hopper_512x512.jpg"), "--probe", "no-such-probe.jpg");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Probe image not found", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    private async Task<ServerInstance> ServingBlazeFaceFrontAsync()
    {
        var server = await ServerInstance.StartAsync(azurite, FunctionKey, AdminKey);
        try
        {
            using (var admin = server.CreateClient(AdminKey))
            using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "blazeface-front"))
                Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
            await server.WaitForModelAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    [Theory]
    [InlineData("--requests", "0", "--requests")]
    [InlineData("--concurrency", "1,0", "--concurrency")]
    [InlineData("--concurrency", "two", "--concurrency")]
    [InlineData("--rounds", "0", "--rounds")]
    [InlineData("--rounds", "201", "--rounds")] // more blocks than the default 200 requests
    public async Task Arguments_it_cannot_measure_with_are_a_usage_error_before_any_request(string option, string value, string named)
    {
        var r = await CliProcess.RunAsync("bench", "http", "--json", "--url", "http://127.0.0.1:9/",
            "--image", Path.Combine(RepoPaths.Root, "tests", "images", "grace_hopper_512x512.jpg"), option, value);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
