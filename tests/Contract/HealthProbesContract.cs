using System.Text;
using MogFace.Tests.Shared;

namespace MogFace.Tests.Contract;

/// <summary>
/// GET /api/health/live and /api/health/ready, the container's probes, anonymous on both hosts: live answers
/// whenever the process does; ready follows the model and the registry, and is 200 on an empty registry so a
/// fresh deployment can receive its first model.
/// </summary>
public abstract class HealthProbesContract(IKeyedEndpointFixture fixture)
{
    private IServiceEndpoint Service => fixture.Endpoint;

    /// <summary>Starts another endpoint of this host on <paramref name="azurite"/> (both keys configured).</summary>
    protected abstract Task<IServiceEndpoint> StartAsync(AzuriteFixture azurite);

    [Fact]
    public async Task Live_and_ready_answer_200_without_a_key_while_a_model_is_served()
    {
        using var client = Service.CreateClient();
        using (var live = await client.GetAsync("api/health/live"))
        {
            var json = await TestHttp.JsonAsync(live);
            Assert.Equal("alive", json.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(json.GetProperty("instance").GetString()));
        }
        using var ready = await client.GetAsync("api/health/ready");
        var report = await TestHttp.JsonAsync(ready);
        Assert.True(report.GetProperty("ready").GetBoolean());
        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal(fixture.ModelVersion, report.GetProperty("modelVersion").GetString());
        Assert.True(report.GetProperty("lastRegistryContact").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        // The plain health route is unchanged.
        using var health = await client.GetAsync("api/health");
        Assert.Equal(fixture.ModelVersion, (await TestHttp.JsonAsync(health)).GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task Ready_on_an_empty_registry_then_503_while_the_active_version_cannot_be_loaded_and_live_throughout()
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var endpoint = await StartAsync(azurite);
        try
        {
            using var client = endpoint.CreateClient();
            // No version registered: ready (an unready replica would never receive the first upload), health 503.
            var empty = await PollReadyAsync(client, 200, "\"status\":\"empty\"");
            Assert.Contains("\"ready\":true", empty);
            using (var health = await client.GetAsync("api/health"))
                await TestHttp.AssertProblemAsync(health, 503, "model-not-ready");

            // A pointer naming a version this instance cannot load: not ready, with Retry-After; live still 200.
            await endpoint.Models.CreateIfNotExistsAsync();
            await endpoint.Models.GetBlobClient("pointer.json").UploadAsync(BinaryData.FromString(
                """{"active":"ghost-000000000000","previous":[],"updatedAt":"2026-01-01T00:00:00+00:00","reason":"test"}"""), overwrite: true);
            await PollReadyAsync(client, 503, "ghost-000000000000");
            using (var ready = await client.GetAsync("api/health/ready"))
            {
                var problem = await TestHttp.AssertProblemAsync(ready, 503, "model-not-ready");
                Assert.Contains("ghost-000000000000", problem.GetProperty("detail").GetString());
                Assert.True(ready.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
            using var live = await client.GetAsync("api/health/live");
            Assert.Equal("alive", (await TestHttp.JsonAsync(live)).GetProperty("status").GetString());
        }
        finally
        {
            if (endpoint is IAsyncDisposable disposable)
                await disposable.DisposeAsync();
            await azurite.DisposeAsync();
        }
    }

    /// <summary>Polls /api/health/ready until it answers <paramref name="status"/> with a body containing <paramref name="text"/>.</summary>
    private static async Task<string> PollReadyAsync(HttpClient client, int status, string text)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        var last = new StringBuilder();
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await client.GetAsync("api/health/ready");
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode == status && body.Contains(text, StringComparison.Ordinal))
                return body;
            last.Clear().Append((int)response.StatusCode).Append(' ').Append(body);
            await Task.Delay(100);
        }
        throw new TimeoutException($"/api/health/ready never answered {status} with '{text}'; last: {last}");
    }
}
