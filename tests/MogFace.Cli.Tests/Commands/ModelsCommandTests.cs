using System.Net;
using System.Text;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Commands;

/// <summary><c>mogface models …</c>: refusals without a service, and <c>canary --promote</c> against a stand-in admin API that records what it was sent.</summary>
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
        var port = AzuriteFixture.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var served = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            var seen = (context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["x-functions-key"]);
            var body = Encoding.UTF8.GetBytes("""{"active":"v2","previous":["v1"],"reason":"promote canary v2"}""");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
            return seen;
        });

        var r = await CliProcess.RunAsync("models", "canary", "--promote", "--url", $"http://127.0.0.1:{port}", "--key", "admin-key");

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(("POST", "/api/models/canary/promote", "admin-key"), await served.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("\"active\": \"v2\"", r.Stdout);
    }

    [Fact]
    public async Task Off_and_promote_together_is_a_usage_error()
    {
        var r = await CliProcess.RunAsync("models", "canary", "--off", "--promote", "--url", "http://127.0.0.1:9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--promote", r.Stderr);
    }
}
