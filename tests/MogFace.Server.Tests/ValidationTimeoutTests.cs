using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 6 over real HTTP: a model whose graph loops 4e9 times is stopped at the validation time limit
/// (a short one here), rejected as <c>validation-timeout</c> with a record, and an upload sent while it validates
/// is validated beside it and accepted: validations run in a bounded worker, not one at a time behind a hang.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class ValidationTimeoutTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MogFace:ValidationTimeout"] = "00:00:03",
        ["MogFace:MaxConcurrentValidations"] = "2",
        // Load and smoke runs only (where the loop hangs): the golden-set gate would take the good upload past 3 s here.
        ["MogFace:QualityGate"] = "false",
    };

    [Fact]
    public async Task A_model_that_runs_for_hours_is_rejected_at_the_time_limit_without_holding_up_another_upload()
    {
        using var admin = Admin();
        var looping = ServerInstance.UploadAsync(admin, AdversarialModels.Get(AdversarialModels.HugeLoop), "loop");
        var front = ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "front");

        using (var accepted = await front)
            Assert.StartsWith("front-", (await TestHttp.JsonAsync(accepted, 201)).GetProperty("version").GetString());
        using (var rejected = await looping)
        {
            var problem = await TestHttp.AssertProblemAsync(rejected, 422, "rejected-weights");
            Assert.Equal("validation-timeout", problem.GetProperty("reason").GetString());
            Assert.Contains("00:00:03", problem.GetProperty("detail").GetString());
        }

        using var list = await admin.GetAsync("api/models");
        var record = (await TestHttp.JsonAsync(list)).GetProperty("rejected").EnumerateArray().Single();
        Assert.Equal("loop", record.GetProperty("name").GetString());
        Assert.Equal("validation-timeout", record.GetProperty("code").GetString());
    }
}
