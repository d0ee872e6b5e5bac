using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Http;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 3 over real HTTP: a small file whose header asks for many pixels draws on the decode budget
/// before it is decoded; with the budget spent it is answered 503 <c>overloaded</c> at once instead of occupying a
/// detection slot for seconds, while ordinary photos, which never touch the budget, are still served. Issue 14: the
/// budget counts the pixels actually decoded, so the same size as a JPEG, which decodes at the DCT scale the
/// model needs (1/8 for the 128 px front model), is served while the budget is spent. The test spends the budget
/// itself (as a concurrent large decode would) through the server's own DecodeBudget.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class DecodeBudgetTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MogFace:LargeImagePixels"] = "1000000",
        ["MogFace:DecodeBudgetPixels"] = "4000000",
    };

    [Fact]
    public async Task A_large_header_is_refused_while_the_budget_is_spent_and_ordinary_photos_are_served()
    {
        using (var admin = Admin())
        using (var upload = await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "front"))
            await TestHttp.JsonAsync(upload, 201);
        await Server.WaitForModelAsync();
        var large = Uniform(2000, 1900, png: true); // 3.8 MP, a few kB: the header is what costs
        var largeJpeg = Uniform(2000, 1900, png: false); // decoded at 1/8 for the front model: 250×238
        var grace = File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg"));
        using var client = Server.CreateClient(KeyedServerFixture.FunctionKey);
        var budget = Server.App.Services.GetRequiredService<DecodeBudget>();

        using (var spent = budget.TryTake([4_000_000]))
        {
            Assert.True(spent.IsAcquired);
            using (var refused = await client.PostAsync("api/detect", TestHttp.ImageContent(large, "image/png")))
            {
                var problem = await TestHttp.AssertProblemAsync(refused, 503, "overloaded");
                Assert.Contains("pixels", problem.GetProperty("detail").GetString());
                Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
            }
            using (var batch = new MultipartFormDataContent())
            {
                batch.Add(TestHttp.ImageContent(grace, "image/jpeg"), "image", "grace.jpg");
                batch.Add(TestHttp.ImageContent(large, "image/png"), "image", "large.png");
                using var refused = await client.PostAsync("api/detect", batch);
                await TestHttp.AssertProblemAsync(refused, 503, "overloaded");
            }
            using (var ordinary = await client.PostAsync("api/detect", TestHttp.ImageContent(grace, "image/jpeg")))
                Assert.Equal(HttpStatusCode.OK, ordinary.StatusCode);
            using (var scaled = await client.PostAsync("api/detect", TestHttp.ImageContent(largeJpeg, "image/jpeg")))
            {
                var body = await TestHttp.JsonAsync(scaled);
                Assert.Equal(2000, body.GetProperty("image").GetProperty("width").GetInt32()); // boxes and size in full-size pixels
            }
            Assert.Equal(0, budget.AvailableMegapixels); // the JPEG took nothing
        }

        Assert.Equal(4, budget.AvailableMegapixels);
        using var served = await client.PostAsync("api/detect", TestHttp.ImageContent(large, "image/png"));
        Assert.Equal(2000, (await TestHttp.JsonAsync(served)).GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(4, budget.AvailableMegapixels); // given back after the decode
    }

    private static byte[] Uniform(int width, int height, bool png)
    {
        using var image = new Image<Rgb24>(width, height, new Rgb24(128, 128, 128));
        using var stream = new MemoryStream();
        if (png)
            image.SaveAsPng(stream);
        else
            image.SaveAsJpeg(stream);
        return stream.ToArray();
    }
}
