using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Http;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 2 over real HTTP: detect requests are admitted before any body byte is buffered, a bounded
/// number at once with a bounded queue; past both a request is answered 503 <c>overloaded</c> with Retry-After
/// at once, and a multipart batch is capped as a whole (<c>MogFace:MaxBatchBytes</c>), not 16 × the image cap.
/// One admitted request, no queue: a request whose body is held half-sent fills it.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class AdmissionTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    private const long BatchBytes = 200_000;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MogFace:MaxConcurrentRequests"] = "1",
        ["MogFace:MaxQueuedRequests"] = "0",
        ["MogFace:SmallRequestBytes"] = "0", // one lane: the small-body lane has its own test (AdmissionLaneTests)
        ["MogFace:MaxBatchBytes"] = BatchBytes.ToString(),
    };

    private DetectAdmission Admission => Server.App.Services.GetRequiredService<DetectAdmission>();

    [Fact]
    public async Task A_detect_past_the_admitted_and_queued_requests_is_503_overloaded_until_one_leaves()
    {
        await UploadFrontAsync();
        var grace = File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg"));
        using var client = Server.CreateClient(KeyedServerFixture.FunctionKey);

        var held = new HeldBodyContent(grace, "image/jpeg");
        var first = client.PostAsync("api/detect", held);
        // Admitted while its body is still arriving: the slot is what a slow client holds, not a model lease.
        await TestHttp.WaitUntilAsync(() => Task.FromResult(Admission.Admitted == 1));

        using (var refused = await client.PostAsync("api/detect", TestHttp.ImageContent(grace, "image/jpeg")))
        {
            await TestHttp.AssertProblemAsync(refused, 503, "overloaded");
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        }
        using (var batch = new MultipartFormDataContent())
        {
            batch.Add(TestHttp.ImageContent(grace, "image/jpeg"), "image", "a.jpg");
            using var refused = await client.PostAsync("api/detect", batch);
            await TestHttp.AssertProblemAsync(refused, 503, "overloaded");
        }

        held.Release();
        using (var answered = await first)
            Assert.StartsWith("front-", (await TestHttp.JsonAsync(answered)).GetProperty("modelVersion").GetString());
        Assert.Equal(0, Admission.Admitted);
        using (var after = await client.PostAsync("api/detect", TestHttp.ImageContent(grace, "image/jpeg")))
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_batch_larger_than_max_batch_bytes_is_413_though_each_file_is_under_the_image_cap()
    {
        await UploadFrontAsync();
        var grace = File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg")); // 88 kB: three pass the batch cap
        using var client = Server.CreateClient(KeyedServerFixture.FunctionKey);

        using var batch = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++)
            batch.Add(TestHttp.ImageContent(grace, "image/jpeg"), "image", $"{i}.jpg");
        using var declared = await client.PostAsync("api/detect", batch);
        await TestHttp.AssertProblemAsync(declared, 413, "too-large");

        // Chunked (no Content-Length to refuse early): the reader stops at the cap.
        using var chunkedBatch = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++)
            chunkedBatch.Add(new StreamContent(new UnknownLengthStream(grace)) { Headers = { ContentType = new MediaTypeHeaderValue("image/jpeg") } }, "image", $"{i}.jpg");
        using var chunked = await client.PostAsync("api/detect", chunkedBatch);
        await TestHttp.AssertProblemAsync(chunked, 413, "too-large");

        using var two = new MultipartFormDataContent();
        for (var i = 0; i < 2; i++)
            two.Add(TestHttp.ImageContent(grace, "image/jpeg"), "image", $"{i}.jpg");
        using var fits = await client.PostAsync("api/detect", two);
        Assert.Equal(2, (await TestHttp.JsonAsync(fits)).GetProperty("results").GetArrayLength());
    }
}
