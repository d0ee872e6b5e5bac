using System.Net;
using System.Text;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Commands;

/// <summary><c>mogface models …</c>: refusals without a service, and <c>canary --promote</c>, <c>delete</c> against a stand-in admin API that records what it was sent.</summary>
public class ModelsCommandTests
{
    [Fact]
    public async Task An_unreachable_service_fails_with_a_message()
    {
        var r = await CliProcess.RunAsync("models", "list", "--url", "http://127.0.0.1:9");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error:", r.Stderr.Trim());
    }

    [Fact]
    public async Task Canary_needs_a_percent_or_off()
    {
        var r = await CliProcess.RunAsync("models", "canary", "v1", "--url", "http://127.0.0.1:9");
        Assert.NotEqual(0, r.ExitCode);
    }

    [Fact]
    public async Task Canary_promote_posts_to_the_promote_route_with_the_admin_key_and_prints_the_pointer()
    {
        var (port, served) = StandIn("""{"active":"v2","previous":["v1"],"reason":"promote canary v2"}""");

        var r = await CliProcess.RunAsync("models", "canary", "--promote", "--url", $"http://127.0.0.1:{port}", "--key", "admin-key");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var seen = await served.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("POST", "/api/models/canary/promote", "admin-key"), (seen.Method, seen.Path, seen.Key));
        Assert.Contains("\"active\": \"v2\"", r.Stdout);
    }

    [Fact]
    public async Task Canary_plan_posts_the_steps_and_the_dwell_to_the_plan_route()
    {
        var (port, served) = StandIn("""{"active":"v1","canary":{"version":"v2","percent":5}}""");

        var r = await CliProcess.RunAsync("models", "canary", "v2", "--plan", "5,25,50", "--dwell", "2m", "--url", $"http://127.0.0.1:{port}", "--key", "admin-key");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var seen = await served.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("POST", "/api/models/canary/plan"), (seen.Method, seen.Path));
        Assert.Equal("""{"version":"v2","steps":[5,25,50],"dwell":"00:02:00"}""", seen.Body);
    }

    [Theory]
    [InlineData("5,x", "--plan")]
    [InlineData("5,25", "--dwell", "soon")]
    public async Task A_bad_plan_or_dwell_is_a_usage_error_naming_it(string steps, string named, string dwell = "2m")
    {
        var r = await CliProcess.RunAsync("models", "canary", "v2", "--plan", steps, "--dwell", dwell, "--url", "http://127.0.0.1:9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Stderr);
    }

    [Fact]
    public async Task Delete_sends_delete_for_the_version_and_says_what_it_deleted()
    {
        var (port, served) = StandIn("", status: 204);

        var r = await CliProcess.RunAsync("models", "delete", "doomed-0123456789ab", "--url", $"http://127.0.0.1:{port}", "--key", "admin-key");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var seen = await served.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("DELETE", "/api/models/doomed-0123456789ab", "admin-key"), (seen.Method, seen.Path, seen.Key));
        Assert.Equal("deleted doomed-0123456789ab", r.Stdout.Trim());
    }

    [Fact]
    public async Task Delete_of_a_version_in_use_fails_with_the_services_reason()
    {
        var (port, _) = StandIn("""{"status":409,"code":"version-active","detail":"Version 'v1' is the active version; activate another one first."}""", status: 409);

        var r = await CliProcess.RunAsync("models", "delete", "v1", "--url", $"http://127.0.0.1:{port}");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("409 Conflict: Version 'v1' is the active version", r.Stderr);
    }

    private sealed record Seen(string Method, string Path, string? Key, string Body);

    /// <summary>An admin API stand-in on a free port: answers one request with <paramref name="answer"/> and records what it was sent.</summary>
    private static (int Port, Task<Seen> Served) StandIn(string answer, int status = 200)
    {
        var port = AzuriteFixture.FreePort();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var served = Task.Run(async () =>
        {
            using (listener)
            {
                var context = await listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var seen = new Seen(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["x-functions-key"], await reader.ReadToEndAsync());
                var body = Encoding.UTF8.GetBytes(answer);
                context.Response.StatusCode = status;
                if (body.Length > 0)
                {
                    context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
                    await context.Response.OutputStream.WriteAsync(body);
                }
                context.Response.Close();
                return seen;
            }
        });
        return (port, served);
    }

    [Fact]
    public async Task Off_and_promote_together_is_a_usage_error()
    {
        var r = await CliProcess.RunAsync("models", "canary", "--off", "--promote", "--url", "http://127.0.0.1:9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--promote", r.Stderr);
    }
}
