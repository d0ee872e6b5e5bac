using System.Net.Http.Json;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 1 over real HTTP: with garbage in models/pointer.json every admin route answers (problem+json
/// where it cannot act), health says why, and activate repairs the registry without anyone editing the blob.
/// A server of its own (it breaks its registry) on the collection's Azurite.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class CorruptPointerTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    [Theory]
    [InlineData("{not json")]
    [InlineData("null")]
    [InlineData("""{"active":5,"previous":"x"}""")]
    public async Task Admin_routes_answer_problem_json_health_reports_it_and_activate_repairs_it(string garbage)
    {
        using var admin = Admin();
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "front"))
            await TestHttp.JsonAsync(upload, 201);
        string back;
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "back"))
            back = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        await Server.WaitForModelAsync(back);

        await Server.Models.GetBlobClient("pointer.json").UploadAsync(BinaryData.FromString(garbage), overwrite: true);

        // The listing still works (the versions are what the repair needs) and names the problem.
        using (var list = await admin.GetAsync("api/models"))
        {
            var json = await TestHttp.JsonAsync(list);
            Assert.Contains("pointer.json", json.GetProperty("pointerError").GetString());
            Assert.Equal(2, json.GetProperty("versions").GetArrayLength());
        }
        using (var rollback = await admin.PostAsync("api/models/rollback", null))
            await TestHttp.AssertProblemAsync(rollback, 409, "pointer-unreadable");
        using (var canary = await admin.PutAsJsonAsync("api/models/canary", new { version = back, percent = 10 }))
            await TestHttp.AssertProblemAsync(canary, 409, "pointer-unreadable");
        using (var clear = await admin.DeleteAsync("api/models/canary"))
            await TestHttp.AssertProblemAsync(clear, 409, "pointer-unreadable");

        // The instance keeps serving and health says why it is degraded.
        using var anonymous = Server.CreateClient();
        await TestHttp.WaitUntilAsync(async () =>
        {
            using var health = await anonymous.GetAsync("api/health");
            var json = await TestHttp.JsonAsync(health);
            return json.GetProperty("status").GetString() == "degraded"
                && json.TryGetProperty("pointerError", out var error) && error.GetString()!.Contains("pointer.json");
        });

        // Activate does not need the broken pointer: it replaces it.
        using (var activate = await admin.PostAsync($"api/models/{back}/activate", null))
            Assert.Equal(back, (await TestHttp.JsonAsync(activate)).GetProperty("active").GetString());
        using (var rollback = await admin.PostAsync("api/models/rollback", null))
            Assert.StartsWith("front-", (await TestHttp.JsonAsync(rollback)).GetProperty("active").GetString());
        await TestHttp.WaitUntilAsync(async () =>
        {
            using var health = await anonymous.GetAsync("api/health");
            var json = await TestHttp.JsonAsync(health);
            return json.GetProperty("status").GetString() == "ok" && !json.TryGetProperty("pointerError", out _);
        });
    }
}
