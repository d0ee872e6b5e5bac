using System.Net.Http.Json;
using System.Text.Json;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Contract;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// The standalone server's own decider (CanaryPlanService, wired by AddMogFaceServer): a plan started over HTTP
/// is promoted by the server itself once the canary has served its requests and the step has dwelt, with no test
/// code deciding anything. (The rules and the two-instance runs are CanaryJudgeTests and CanaryPlanTests.)
/// </summary>
public sealed class CanaryPlanServerTests : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    private ServerInstance _server = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _server = await ServerInstance.StartAsync(_azurite, settings: new Dictionary<string, string?>
        {
            ["MogFace:CanaryDecisionInterval"] = "00:00:00.200",
            ["MogFace:CanaryMinRequests"] = "5",
            ["MogFace:CanaryLatencyMargin"] = "1000", // p99 on a shared 2-core machine is not what this test is about
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task The_server_promotes_a_healthy_canary_plan_by_itself()
    {
        using var client = _server.CreateClient();
        string back, front;
        using (var upload = await ServerInstance.UploadAsync(client, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "blazeface-back"))
            back = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        using (var upload = await ServerInstance.UploadAsync(client, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "blazeface-front"))
            front = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        using (var activate = await client.PostAsync($"api/models/{back}/activate", null))
            await TestHttp.JsonAsync(activate);
        await _server.WaitForModelAsync(back);

        using (var start = await client.PostAsJsonAsync("api/models/canary/plan", new { version = front, steps = new[] { 50 }, dwell = "00:00:01" }))
            Assert.Equal("running", (await TestHttp.JsonAsync(start)).GetProperty("plan").GetProperty("state").GetString());

        // Traffic from new clients until the plan ends: the canary's requests reach the heartbeat, the dwell
        // passes, and the server's decider promotes.
        JsonElement pointer = default;
        var answered = new List<int>();
        await TestHttp.WaitUntilAsync(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = TestHttp.ImageFile("grace_hopper_512x512.jpg") };
                request.Headers.Add("X-Client-Id", $"client-{answered.Count}");
                using var response = await client.SendAsync(request);
                answered.Add((int)response.StatusCode);
            }
            using var list = await client.GetAsync("api/models");
            pointer = (await TestHttp.JsonAsync(list)).GetProperty("pointer");
            return pointer.GetProperty("plan").GetProperty("state").GetString() != "running";
        });

        Assert.Equal(front, pointer.GetProperty("active").GetString());
        var decisions = pointer.GetProperty("plan").GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("action").GetString()!).ToArray();
        Assert.Equal(["start", "promote"], decisions);
        Assert.All(answered, status => Assert.Equal(200, status));
        await _server.WaitForModelAsync(front);
    }
}
