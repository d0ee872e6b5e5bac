using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 13, item 7 over real HTTP, at the service's default margin (0.02): GET /api/models shows each version's
/// golden-set AP and the active one's it was compared with; a clearly worse upload is 422 accuracy-regression with
/// both numbers in its rejection record.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class AccuracyGateTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MogFace:AccuracyMargin"] = "0.02" };

    [Fact]
    public async Task Golden_AP_values_are_shown_by_GET_api_models_and_a_regression_is_refused_with_both()
    {
        using var admin = Admin();
        string back, yunet;
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "blazeface-back"))
            back = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.YuNet), "yunet-n"))
            yunet = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "front"))
            Assert.Equal("accuracy-regression", (await TestHttp.AssertProblemAsync(upload, 422, "rejected-weights")).GetProperty("reason").GetString());

        using var list = await admin.GetAsync("api/models");
        var view = await TestHttp.JsonAsync(list);
        var versions = view.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("validation"));
        Assert.Equal(2, versions.Count);
        // The first model: its AP, nothing to compare with.
        var backAp = versions[back].GetProperty("goldenAP").GetDouble();
        Assert.InRange(backAp, 0.99, 1.0);
        Assert.False(versions[back].TryGetProperty("comparedAP", out _)); // nulls are left out of the JSON
        // The cross-family swap: both APs, no warning.
        Assert.InRange(versions[yunet].GetProperty("goldenAP").GetDouble(), 0.99, 1.0);
        Assert.Equal(backAp, versions[yunet].GetProperty("comparedAP").GetDouble());
        Assert.Equal(back, versions[yunet].GetProperty("comparedWith").GetString());
        // The refused selfie model: both numbers in its record.
        var rejected = view.GetProperty("rejected").EnumerateArray().Single();
        Assert.Equal("accuracy-regression", rejected.GetProperty("code").GetString());
        Assert.Equal(yunet, rejected.GetProperty("comparedWith").GetString());
        Assert.InRange(rejected.GetProperty("goldenAP").GetDouble(), 0, 0.8);
        Assert.Equal(versions[yunet].GetProperty("goldenAP").GetDouble(), rejected.GetProperty("comparedAP").GetDouble());
    }
}
