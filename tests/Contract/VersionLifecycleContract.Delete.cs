using System.Net;
using Azure.Storage.Blobs.Models;
using MogFace.Tests.Shared;

namespace MogFace.Tests.Contract;

/// <summary>
/// <c>DELETE /api/models/{version}</c> under both hosts: 204 and the version's blobs gone, 404 for an unknown
/// version (so also for a second delete), 409 with its own code for the active version, the rollback target and
/// the canary. (The key refusals are KeysContract's, over every admin route; the race with an activation is
/// VersionDeletionTests, on the registry.)
/// </summary>
public abstract partial class VersionLifecycleContract
{
    [Fact]
    public async Task Deleting_a_version_nothing_needs_answers_204_removes_it_and_a_second_delete_is_404()
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        string doomed;
        using (var upload = await ServiceEndpoint.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "doomed"))
            doomed = (await TestHttp.JsonAsync(upload, 201)).GetProperty("version").GetString()!;
        // The upload made it active; two activations push it down the history, past the rollback target.
        await ActivateAsync(admin, Front);
        await ActivateAsync(admin, Back);

        using (var delete = await admin.DeleteAsync($"api/models/{doomed}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            Assert.Empty(await delete.Content.ReadAsByteArrayAsync());
        }

        var view = await TestHttp.JsonAsync(await admin.GetAsync("api/models"));
        Assert.DoesNotContain(doomed, view.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.DoesNotContain(doomed, view.GetProperty("pointer").GetProperty("previous").EnumerateArray().Select(v => v.GetString()));
        await foreach (var blob in Service.Models.GetBlobsAsync(new GetBlobsOptions { Prefix = $"versions/{doomed}/" }))
            Assert.Fail($"{blob.Name} was left behind");
        using (var again = await admin.DeleteAsync($"api/models/{doomed}"))
            await TestHttp.AssertProblemAsync(again, 404, "version-not-found");
        using (var activate = await admin.PostAsync($"api/models/{doomed}/activate", null))
            await TestHttp.AssertProblemAsync(activate, 404, "version-not-found");
        await Service.WaitForModelAsync(Back);
    }

    [Fact]
    public async Task Deleting_an_unknown_version_is_404()
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        using var response = await admin.DeleteAsync("api/models/blazeface-side-000000000000");
        await TestHttp.AssertProblemAsync(response, 404, "version-not-found");
    }

    [Fact]
    public async Task Deleting_the_active_version_the_rollback_target_or_the_canary_is_409_with_its_code()
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        await ActivateAsync(admin, Front);
        await ActivateAsync(admin, Back); // previous[0] = front: the rollback target
        using (var clear = await admin.DeleteAsync("api/models/canary"))
            await TestHttp.JsonAsync(clear);

        using (var active = await admin.DeleteAsync($"api/models/{Back}"))
            Assert.Equal(Back, (await TestHttp.AssertProblemAsync(active, 409, "version-active")).GetProperty("version").GetString());
        using (var previous = await admin.DeleteAsync($"api/models/{Front}"))
            await TestHttp.AssertProblemAsync(previous, 409, "version-rollback-target");

        await ServeAsync(canary: Front);
        using (var canary = await admin.DeleteAsync($"api/models/{Front}"))
            await TestHttp.AssertProblemAsync(canary, 409, "version-canary");

        var versions = (await TestHttp.JsonAsync(await admin.GetAsync("api/models"))).GetProperty("versions").EnumerateArray()
            .Select(v => v.GetProperty("version").GetString()).ToList();
        Assert.Contains(Back, versions);
        Assert.Contains(Front, versions);
    }

    private static async Task ActivateAsync(HttpClient admin, string version)
    {
        using var response = await admin.PostAsync($"api/models/{version}/activate", null);
        await TestHttp.JsonAsync(response);
    }
}
