using System.Net.Http.Json;
using System.Text.Json;

namespace MogFace.Tests.Contract;

/// <summary>
/// The version lifecycle over HTTP, the same under both hosts: detect pinned to a loaded version (query or
/// header; 409 naming what is loaded otherwise), a canary of the active version refused (422), and the canary
/// promoted by its own route (409 when none runs). Each test sets the pointer it needs first.
/// </summary>
public abstract class VersionLifecycleContract(TwoVersionEndpointFixture fixture)
{
    private IServiceEndpoint Service => fixture.Endpoint;
    private string Back => fixture.ModelVersion;
    private string Front => fixture.FrontVersion;

    [Fact]
    public async Task A_pinned_request_is_answered_by_that_version_and_an_unloaded_one_gets_409_naming_the_loaded()
    {
        await ServeAsync(canary: Front);
        using var client = Service.CreateClient(ContractKeys.Function);

        // 1 % canary: unpinned requests almost all meet the back model; pinned ones meet the front model every time.
        for (var i = 0; i < 3; i++)
        {
            using var pinned = await client.PostAsync($"api/detect?version={Front}", TestHttp.ImageFile("grace_hopper_512x512.jpg"));
            Assert.Equal(Front, (await TestHttp.JsonAsync(pinned)).GetProperty("modelVersion").GetString());
            Assert.Equal(Front, pinned.Headers.GetValues("X-Model-Version").Single());
            Assert.Equal("true", pinned.Headers.GetValues("X-Model-Canary").Single());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = TestHttp.ImageFile("grace_hopper_512x512.jpg") })
        {
            request.Headers.Add("X-Model-Version", Back);
            using var byHeader = await client.SendAsync(request);
            Assert.Equal(Back, (await TestHttp.JsonAsync(byHeader)).GetProperty("modelVersion").GetString());
            Assert.False(byHeader.Headers.Contains("X-Model-Canary"));
        }

        using (var unknown = await client.PostAsync("api/detect?version=blazeface-side-000000000000", TestHttp.ImageFile("grace_hopper_512x512.jpg")))
        {
            var problem = await TestHttp.AssertProblemAsync(unknown, 409, "version-not-loaded");
            Assert.Equal([Back, Front], problem.GetProperty("loaded").EnumerateArray().Select(v => v.GetString()!).ToArray());
            Assert.Contains(Back, problem.GetProperty("detail").GetString());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"api/detect?version={Front}") { Content = TestHttp.ImageFile("grace_hopper_512x512.jpg") })
        {
            request.Headers.Add("X-Model-Version", Back);
            using var disagree = await client.SendAsync(request);
            await TestHttp.AssertProblemAsync(disagree, 422, "invalid-parameter");
        }
    }

    [Fact]
    public async Task A_canary_of_the_active_version_is_refused_with_422()
    {
        await ServeAsync(canary: null);
        using var admin = Service.CreateClient(ContractKeys.Admin);
        using var response = await admin.PutAsJsonAsync("api/models/canary", new { version = Back, percent = 10 });
        var problem = await TestHttp.AssertProblemAsync(response, 422, "canary-is-active");
        Assert.Equal(Back, problem.GetProperty("version").GetString());
        using var list = await admin.GetAsync("api/models");
        Assert.False((await TestHttp.JsonAsync(list)).GetProperty("pointer").TryGetProperty("canary", out _));
    }

    [Fact]
    public async Task Promote_makes_the_canary_active_and_ends_the_split_and_is_409_without_a_canary()
    {
        await ServeAsync(canary: null);
        using var admin = Service.CreateClient(ContractKeys.Admin);
        using (var none = await admin.PostAsync("api/models/canary/promote", null))
            await TestHttp.AssertProblemAsync(none, 409, "no-canary");

        await ServeAsync(canary: Front);
        using (var promote = await admin.PostAsync("api/models/canary/promote", null))
        {
            var pointer = await TestHttp.JsonAsync(promote);
            Assert.Equal(Front, pointer.GetProperty("active").GetString());
            Assert.False(pointer.TryGetProperty("canary", out _));
            Assert.Equal(Back, pointer.GetProperty("previous")[0].GetString());
            Assert.Contains("promote", pointer.GetProperty("reason").GetString());
        }
        await Service.WaitForModelAsync(Front);
        await WaitForCanaryAsync(null);
        using var detect = await Service.CreateClient(ContractKeys.Function).PostAsync("api/detect", TestHttp.ImageFile("grace_hopper_512x512.jpg"));
        Assert.Equal(Front, detect.Headers.GetValues("X-Model-Version").Single());
    }

    /// <summary>Sets the pointer to the back model active with <paramref name="canary"/> at 1 %, and waits until the endpoint serves exactly that.</summary>
    private async Task ServeAsync(string? canary)
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        using (var activate = await admin.PostAsync($"api/models/{Back}/activate", null))
            await TestHttp.JsonAsync(activate);
        using (var split = canary is null
                   ? await admin.DeleteAsync("api/models/canary")
                   : await admin.PutAsJsonAsync("api/models/canary", new { version = canary, percent = 1 }))
            await TestHttp.JsonAsync(split);
        await Service.WaitForModelAsync(Back);
        await WaitForCanaryAsync(canary);
    }

    private async Task WaitForCanaryAsync(string? canary)
    {
        using var client = Service.CreateClient();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        string? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var health = await client.GetAsync("api/health");
            last = await health.Content.ReadAsStringAsync();
            if (health.IsSuccessStatusCode)
            {
                var served = JsonDocument.Parse(last).RootElement.TryGetProperty("canary", out var c) ? c.GetProperty("version").GetString() : null;
                if (served == canary)
                    return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The {Service.HostKind} did not serve canary {canary ?? "none"} in time; last health: {last}");
    }
}
