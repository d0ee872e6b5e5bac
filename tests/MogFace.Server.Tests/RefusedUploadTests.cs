using MogFace.Server.Tests.Infrastructure;

namespace MogFace.Server.Tests;

/// <summary>Issue 12, case 13 over real HTTP: an upload refused for its size (413) still leaves a rejection record.</summary>
[Collection(KeyedServerCollection.Name)]
public sealed class RefusedUploadTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    private const int Cap = 100_000;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MogFace:MaxModelBytes"] = Cap.ToString() };

    [Fact]
    public async Task An_upload_over_the_size_cap_is_413_and_recorded()
    {
        using var admin = Admin();
        using var upload = await ServerInstance.UploadAsync(admin, new byte[Cap + 1], "big");
        await TestHttp.AssertProblemAsync(upload, 413, "too-large");

        using var list = await admin.GetAsync("api/models");
        var rejected = (await TestHttp.JsonAsync(list)).GetProperty("rejected").EnumerateArray().Single();
        Assert.Equal("big", rejected.GetProperty("name").GetString());
        Assert.Equal("too-large", rejected.GetProperty("code").GetString());
    }
}
