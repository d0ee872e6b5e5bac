using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 7 over real HTTP: a model whose weights point at a file on the server (package.json in the
/// working directory, ../weights.bin beside the cache) is rejected as <c>external-data</c> with a record, never
/// activated, and no rejection names a server path.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class ExternalDataUploadTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    [Theory]
    [InlineData(AdversarialModels.ExternalData)]
    [InlineData(AdversarialModels.ExternalInLoop)]
    public async Task A_model_with_external_data_is_rejected_without_server_paths(string variant)
    {
        using var admin = Admin();
        using var upload = await ServerInstance.UploadAsync(admin, AdversarialModels.Get(variant), "external");

        var problem = await TestHttp.AssertProblemAsync(upload, 422, "rejected-weights");
        Assert.Equal("external-data", problem.GetProperty("reason").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), detail);
        Assert.DoesNotContain(Environment.CurrentDirectory, detail);
        using var list = await admin.GetAsync("api/models");
        var models = await TestHttp.JsonAsync(list);
        Assert.Equal("external-data", models.GetProperty("rejected").EnumerateArray().Single().GetProperty("code").GetString());
        Assert.Equal(0, models.GetProperty("versions").GetArrayLength());
    }
}
