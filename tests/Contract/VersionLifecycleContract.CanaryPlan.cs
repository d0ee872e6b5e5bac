using System.Net.Http.Json;
using System.Text;

namespace MogFace.Tests.Contract;

/// <summary>
/// <c>POST /api/models/canary/plan</c> under both hosts: a plan starts the canary at its first step with the plan
/// beside it in the pointer, a canary change by hand cancels it (recorded), and every bad body has its answer.
/// (The plan advancing, promoting and rolling back by itself is CanaryPlanTests, on a clock the test drives.)
/// </summary>
public abstract partial class VersionLifecycleContract
{
    [Fact]
    public async Task A_canary_plan_starts_at_its_first_step_and_a_canary_change_by_hand_cancels_it()
    {
        await ServeAsync(canary: null);
        using var admin = Service.CreateClient(ContractKeys.Admin);

        using (var start = await admin.PostAsJsonAsync("api/models/canary/plan", new { version = Front, steps = new[] { 5, 25, 50 }, dwell = "00:10:00" }))
        {
            var pointer = await TestHttp.JsonAsync(start);
            Assert.Equal(Back, pointer.GetProperty("active").GetString());
            Assert.Equal(Front, pointer.GetProperty("canary").GetProperty("version").GetString());
            Assert.Equal(5, pointer.GetProperty("canary").GetProperty("percent").GetInt32());
            var plan = pointer.GetProperty("plan");
            Assert.Equal(Front, plan.GetProperty("version").GetString());
            Assert.Equal([5, 25, 50, 100], plan.GetProperty("steps").EnumerateArray().Select(s => s.GetInt32()).ToArray());
            Assert.Equal("00:10:00", plan.GetProperty("dwell").GetString());
            Assert.Equal(("running", 0), (plan.GetProperty("state").GetString(), plan.GetProperty("step").GetInt32()));
            Assert.Equal("start", plan.GetProperty("decisions")[0].GetProperty("action").GetString());
        }
        await WaitForCanaryAsync(Front);

        using (var clear = await admin.DeleteAsync("api/models/canary"))
        {
            var plan = (await TestHttp.JsonAsync(clear)).GetProperty("plan");
            Assert.Equal("cancelled", plan.GetProperty("state").GetString());
            Assert.Equal("cancel", plan.GetProperty("decisions")[1].GetProperty("action").GetString());
        }
        await WaitForCanaryAsync(null);
    }

    [Theory]
    [InlineData("", 400, "empty-body")]
    [InlineData("{\"version\":", 400, "malformed-request")]
    [InlineData("{\"steps\":[5,50]}", 422, "invalid-parameter")]
    [InlineData("{\"version\":\"FRONT\",\"steps\":[50,25]}", 422, "invalid-parameter")]
    [InlineData("{\"version\":\"FRONT\",\"steps\":[100]}", 422, "invalid-parameter")]
    [InlineData("{\"version\":\"FRONT\",\"steps\":[5,150]}", 422, "invalid-parameter")]
    [InlineData("{\"version\":\"FRONT\",\"dwell\":\"-00:01:00\"}", 422, "invalid-parameter")]
    [InlineData("{\"version\":\"FRONT\",\"dwell\":\"two minutes\"}", 400, "malformed-request")]
    [InlineData("{\"version\":\"blazeface-side-000000000000\"}", 404, "version-not-found")]
    [InlineData("{\"version\":\"BACK\"}", 422, "canary-is-active")]
    public async Task A_bad_plan_request_gets_its_problem(string body, int status, string code)
    {
        await ServeAsync(canary: null);
        using var admin = Service.CreateClient(ContractKeys.Admin);
        var content = new StringContent(body.Replace("FRONT", Front).Replace("BACK", Back), Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync("api/models/canary/plan", content);

        await TestHttp.AssertProblemAsync(response, status, code);
        using var list = await admin.GetAsync("api/models");
        Assert.False((await TestHttp.JsonAsync(list)).GetProperty("pointer").TryGetProperty("canary", out _));
    }
}
