using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Http;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12's soak over real HTTP: a request that declares a small body is admitted in a lane of its own, so one
/// client holding the other lane with a large upload does not make an ordinary photo wait or be refused. One admitted
/// large request, no queue; "small" is 100 kB here, so the 88 kB Grace Hopper photo is small and the 145 kB sample1
/// is not.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class AdmissionLaneTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MogFace:MaxConcurrentRequests"] = "1",
        ["MogFace:MaxQueuedRequests"] = "0",
        ["MogFace:SmallRequestBytes"] = "100000",
    };

    private DetectAdmission Admission => Server.App.Services.GetRequiredService<DetectAdmission>();

    [Fact]
    public async Task A_small_photo_is_answered_while_a_large_upload_holds_the_other_lane_and_a_second_large_one_is_refused()
    {
        await UploadFrontAsync();
        var grace = File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg"));
        var large = File.ReadAllBytes(TestHttp.Image("sample1.jpg"));
        Assert.True(grace.Length <= 100_000 && large.Length > 100_000, "the test images no longer straddle the lane's size");
        using var client = Server.CreateClient(KeyedServerFixture.FunctionKey);

        var held = new HeldBodyContent(large, "image/jpeg");
        var first = client.PostAsync("api/detect", held);
        await TestHttp.WaitUntilAsync(() => Task.FromResult(Admission.Admitted == 1));

        using (var small = await client.PostAsync("api/detect", TestHttp.ImageContent(grace, "image/jpeg")))
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        using (var refused = await client.PostAsync("api/detect", TestHttp.ImageContent(large, "image/jpeg")))
            await TestHttp.AssertProblemAsync(refused, 503, "overloaded");

        held.Release();
        using (var answered = await first)
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(0, Admission.Admitted);
    }
}
