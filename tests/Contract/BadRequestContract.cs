using System.Net.Http.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Tests.Contract;

/// <summary>Each refusal of system.md with its exact status and a problem+json body; the server stays healthy after all.</summary>
public abstract class BadRequestContract(IKeyedEndpointFixture fixture)
{
    private IServiceEndpoint Service => fixture.Endpoint;
    private HttpClient Client() => Service.CreateClient(ContractKeys.Function);
    private HttpClient Admin() => Service.CreateClient(ContractKeys.Admin);

    private static byte[] Grace => File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg"));

    [Fact]
    public async Task Empty_body_is_400()
    {
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent([], "image/jpeg"));
        await TestHttp.AssertProblemAsync(response, 400, "empty-body");
    }

    [Fact]
    public async Task Missing_content_type_is_415()
    {
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(Grace, null));
        await TestHttp.AssertProblemAsync(response, 415, "unsupported-media-type");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    [InlineData("image/gif")]
    [InlineData("application/json")]
    public async Task Wrong_content_type_is_415(string mediaType)
    {
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(Grace, mediaType));
        await TestHttp.AssertProblemAsync(response, 415, "unsupported-media-type");
    }

    [Fact]
    public async Task Undecodable_bytes_are_400()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(garbage, "image/jpeg"));
        await TestHttp.AssertProblemAsync(response, 400, "undecodable-image");
        // A truncated JPEG: the right signature, then nothing usable.
        using var truncated = await client.PostAsync("api/detect", TestHttp.ImageContent(Grace[..200], "image/jpeg"));
        await TestHttp.AssertProblemAsync(truncated, 400, "undecodable-image");
    }

    public static TheoryData<string> FuzzedImages =>
        new(Directory.GetFiles(MogFace.Tests.Shared.RepoPaths.FuzzCorpus("image"), "regression-*").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    /// <summary>Files on which the pinned ImageSharp's decoders throw from inside (found by fuzzing, docs/fuzzing.md): 400, not 500.</summary>
    [Theory]
    [MemberData(nameof(FuzzedImages))]
    public async Task An_image_that_breaks_the_decoder_is_400(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(MogFace.Tests.Shared.RepoPaths.FuzzCorpus("image"), file));
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(bytes, file.EndsWith(".webp", StringComparison.Ordinal) ? "image/webp" : "image/jpeg"));
        await TestHttp.AssertProblemAsync(response, 400, "undecodable-image");
    }

    [Fact]
    public async Task A_gif_sent_as_jpeg_is_415_by_its_signature()
    {
        byte[] gif = [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b];
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(gif, "image/jpeg"));
        await TestHttp.AssertProblemAsync(response, 415, "unsupported-media-type");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_with_content_length()
    {
        var big = new byte[ServiceEndpoint.MaxImageBytes + 200_000];
        Grace.CopyTo(big, 0);
        using var client = Client();
        // Expect: 100-continue, as curl sends for large bodies: the 413 comes back before the body is sent.
        // (Without it the server still answers 413 at once, but a client busy writing the body it will never
        // read may see the connection closed instead of the answer.)
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = TestHttp.ImageContent(big, "image/jpeg") };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);
        await TestHttp.AssertProblemAsync(response, 413, "too-large");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_when_chunked_without_content_length()
    {
        var big = new byte[ServiceEndpoint.MaxImageBytes + 200_000];
        Grace.CopyTo(big, 0);
        using var client = Client();
        var content = new StreamContent(new UnknownLengthStream(big));
        content.Headers.ContentType = new("image/jpeg");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        Assert.Null(request.Content.Headers.ContentLength);
        await TestHttp.AssertProblemAsync(response, 413, "too-large");
    }

    [Fact]
    public async Task A_multipart_file_over_the_limit_is_413()
    {
        var big = new byte[ServiceEndpoint.MaxImageBytes + 10];
        using var client = Client();
        using var form = new MultipartFormDataContent
        {
            { TestHttp.ImageContent(Grace, "image/jpeg"), "images", "ok.jpg" },
            { TestHttp.ImageContent(big, "image/jpeg"), "images", "big.jpg" },
        };
        using var response = await client.PostAsync("api/detect", form);
        await TestHttp.AssertProblemAsync(response, 413, "too-large");
    }

    [Fact]
    public async Task Multipart_without_files_is_400_and_a_bad_file_in_a_batch_names_it()
    {
        using var client = Client();
        using var fieldsOnly = new MultipartFormDataContent { { new StringContent("hello"), "note" } };
        using var empty = await client.PostAsync("api/detect", fieldsOnly);
        await TestHttp.AssertProblemAsync(empty, 400, "empty-body");

        using var form = new MultipartFormDataContent
        {
            { TestHttp.ImageContent(Grace, "image/jpeg"), "images", "ok.jpg" },
            { TestHttp.ImageContent([1, 2, 3, 4, 5, 6, 7, 8, 9], "image/jpeg"), "images", "broken.jpg" },
        };
        using var response = await client.PostAsync("api/detect", form);
        var problem = await TestHttp.AssertProblemAsync(response, 400, "undecodable-image");
        Assert.Contains("broken.jpg", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Image_over_the_pixel_limit_is_422()
    {
        using var huge = new Image<Rgb24>(2100, 2100); // 4.41 MP > 4 MP, a few KB as PNG
        using var png = new MemoryStream();
        huge.SaveAsPng(png);
        Assert.True(png.Length < ServiceEndpoint.MaxImageBytes);
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(png.ToArray(), "image/png"));
        await TestHttp.AssertProblemAsync(response, 422, "too-many-pixels");
    }

    [Theory]
    [InlineData("threshold=1.5")]
    [InlineData("threshold=-0.1")]
    [InlineData("threshold=abc")]
    [InlineData("threshold=NaN")]
    [InlineData("maxFaces=0")]
    [InlineData("maxFaces=-3")]
    [InlineData("maxFaces=2.5")]
    [InlineData("maxSide=16")]
    [InlineData("maxSide=5000")]
    [InlineData("maxSide=big")]
    [InlineData("annotate=maybe")]
    public async Task Bad_query_parameters_are_422(string query)
    {
        using var client = Client();
        using var response = await client.PostAsync($"api/detect?{query}", TestHttp.ImageContent(Grace, "image/jpeg"));
        await TestHttp.AssertProblemAsync(response, 422, "invalid-parameter");
    }

    [Fact]
    public async Task Missing_or_wrong_keys_are_401()
    {
        using var anonymous = Service.CreateClient();
        using (var r = await anonymous.PostAsync("api/detect", TestHttp.ImageContent(Grace, "image/jpeg")))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");
        using (var r = await anonymous.GetAsync("api/models"))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");
        using (var r = await anonymous.PostAsync("api/detect?code=nope", TestHttp.ImageContent(Grace, "image/jpeg")))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");

        using var wrong = Service.CreateClient("not-a-key");
        using (var r = await wrong.PostAsync("api/detect", TestHttp.ImageContent(Grace, "image/jpeg")))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");

        // A function key does not open admin routes.
        using var function = Client();
        using (var r = await function.GetAsync("api/models"))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");
        using (var r = await function.PostAsync("api/models/rollback", null))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");
        using (var r = await function.DeleteAsync("api/models/canary"))
            await TestHttp.AssertProblemAsync(r, 401, "unauthorized");
    }

    [Fact]
    public async Task Unknown_version_on_activate_is_404()
    {
        using var admin = Admin();
        using var response = await admin.PostAsync("api/models/nope-000000000000/activate", null);
        await TestHttp.AssertProblemAsync(response, 404, "version-not-found");
    }

    [Fact]
    public async Task Canary_percent_outside_1_to_100_is_422_and_bad_json_is_400()
    {
        using var admin = Admin();
        foreach (var percent in new[] { 101, 0, -5 })
        {
            using var response = await admin.PutAsJsonAsync("api/models/canary", new { version = fixture.ModelVersion, percent });
            await TestHttp.AssertProblemAsync(response, 422, "invalid-parameter");
        }
        using var missing = await admin.PutAsJsonAsync("api/models/canary", new { percent = 10 });
        await TestHttp.AssertProblemAsync(missing, 422, "invalid-parameter");
        using var unknown = await admin.PutAsJsonAsync("api/models/canary", new { version = "nope-000000000000", percent = 10 });
        await TestHttp.AssertProblemAsync(unknown, 404, "version-not-found");
        using var broken = await admin.PutAsync("api/models/canary", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        await TestHttp.AssertProblemAsync(broken, 400, "malformed-request");
    }

    [Fact]
    public async Task Rejected_weights_on_upload_are_422_with_the_reason_and_an_empty_upload_is_400()
    {
        using var admin = Admin();
        using var response = await ServiceEndpoint.UploadAsync(admin, "this is not an onnx model"u8.ToArray(), "garbage");
        var problem = await TestHttp.AssertProblemAsync(response, 422, "rejected-weights");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("reason").GetString()));
        using var empty = await ServiceEndpoint.UploadAsync(admin, [], "empty");
        await TestHttp.AssertProblemAsync(empty, 400, "empty-body");
        using var wrongType = await admin.PostAsync("api/models", new StringContent("x"));
        await TestHttp.AssertProblemAsync(wrongType, 415, "unsupported-media-type");
    }

    [Fact]
    public async Task The_service_stays_healthy_after_every_refusal()
    {
        await Empty_body_is_400();
        await Missing_content_type_is_415();
        await Undecodable_bytes_are_400();
        await Body_over_the_limit_is_413_when_chunked_without_content_length();
        await Body_over_the_limit_is_413_with_content_length();
        await Image_over_the_pixel_limit_is_422();
        await Missing_or_wrong_keys_are_401();

        using var client = Service.CreateClient();
        using var health = await client.GetAsync("api/health");
        Assert.Equal(fixture.ModelVersion, (await TestHttp.JsonAsync(health)).GetProperty("modelVersion").GetString());
        using var detect = await Client().PostAsync("api/detect", TestHttp.ImageContent(Grace, "image/jpeg"));
        Assert.Equal(1, (await TestHttp.JsonAsync(detect)).GetProperty("faces").GetArrayLength());
    }
}
