using MogFace.Cli.Bench;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Bench;

/// <summary>
/// How <c>bench http</c> reads a server's CPU time: from the Prometheus text of the real standalone server, and
/// nothing (null, asked once) from a host that has no such endpoint or does not answer.
/// </summary>
public sealed class ServerCpuClockTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void Text_without_the_counter_gives_null_not_zero()
    {
        Assert.Null(ServerCpuClock.Parse(""));
        Assert.Null(ServerCpuClock.Parse("# TYPE dotnet_process_cpu_time_seconds_total counter\n"));
        // Names that only start like it are other metrics.
        Assert.Null(ServerCpuClock.Parse("dotnet_process_cpu_time_seconds_total_created 1.7e9\ndotnet_process_cpu_count 2\n"));
    }

    [Fact]
    public void A_sample_whose_value_is_not_a_number_is_skipped()
    {
        Assert.Null(ServerCpuClock.Parse("dotnet_process_cpu_time_seconds_total{cpu_mode=\"user\"} lots\n"));
        Assert.Equal(0.5, ServerCpuClock.Parse(
            "dotnet_process_cpu_time_seconds_total{cpu_mode=\"user\"} lots\ndotnet_process_cpu_time_seconds_total{cpu_mode=\"system\"} 0.5\n"));
    }

    [Fact]
    public void User_and_system_time_are_summed_with_labels_holding_spaces_and_timestamps_ignored()
    {
        const string text = """
            # HELP dotnet_process_cpu_time_seconds_total CPU time used by the process.
            # TYPE dotnet_process_cpu_time_seconds_total counter
            dotnet_process_cpu_time_seconds_total{otel_scope_name="System.Runtime",cpu_mode="user"} 12.25 1764640000000
            dotnet_process_cpu_time_seconds_total{otel_scope_name="System Runtime",cpu_mode="system"} 1.5e0
            dotnet_process_cpu_time_seconds_total 0.25
            """;

        Assert.Equal(14.0, ServerCpuClock.Parse(text));
    }

    [Fact]
    public async Task A_host_without_metrics_gives_null_and_is_not_asked_again()
    {
        await using var server = await ServerInstance.StartAsync(azurite);
        // Real Kestrel answering 404: the routes live at the root, not under this prefix.
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddress, "no-such-host/") };
        var clock = new ServerCpuClock(http);

        Assert.Null(await clock.ReadSecondsAsync(CancellationToken.None));
        http.Dispose(); // a second request would now throw ObjectDisposedException: the clock must not make one
        Assert.Null(await clock.ReadSecondsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_host_that_does_not_answer_gives_null()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }; // discard port: refused
        Assert.Null(await new ServerCpuClock(http).ReadSecondsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_standalone_server_reports_cpu_time_that_grows_with_work()
    {
        await using var server = await ServerInstance.StartAsync(azurite);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var clock = new ServerCpuClock(http);

        var before = await clock.ReadSecondsAsync(CancellationToken.None);
        for (var i = 0; i < 200; i++)
            (await http.GetAsync("api/health/live")).Dispose();
        var after = await clock.ReadSecondsAsync(CancellationToken.None);

        Assert.NotNull(before);
        Assert.True(after > before, $"CPU time {before} s, then {after} s after 200 requests");
    }
}
