using System.Net.Http.Headers;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;

namespace MogFace.Tests.Contract;

/// <summary>POST /api/detect over real HTTP: raw bodies, multipart batches, annotated images, keys.</summary>
public abstract class DetectContract(IKeyedEndpointFixture fixture)
{
    private IServiceEndpoint Service => fixture.Endpoint;

    [Theory]
    [InlineData("sample5.jpg", 5, 1920, 1398)]
    [InlineData("grace_hopper_512x512.jpg", 1, 512, 512)]
    [InlineData("astronaut.png", 1, 512, 512)]
    public async Task Raw_body_returns_the_faces_and_the_model_version(string image, int faces, int width, int height)
    {
        using var client = Service.CreateClient(ContractKeys.Function);
        using var response = await client.PostAsync("api/detect", TestHttp.ImageFile(image));
        var json = await TestHttp.JsonAsync(response);

        Assert.Equal(fixture.ModelVersion, response.Headers.GetValues("X-Model-Version").Single());
        Assert.Equal(fixture.ModelVersion, json.GetProperty("modelVersion").GetString());
        Assert.Equal(width, json.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(height, json.GetProperty("image").GetProperty("height").GetInt32());
        Assert.Equal(faces, json.GetProperty("faces").GetArrayLength());
        var face = json.GetProperty("faces")[0];
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.InRange(face.GetProperty("score").GetSingle(), 0.5f, 1f);
        Assert.Equal(6, face.GetProperty("landmarks").GetArrayLength());
        Assert.True(json.GetProperty("timingsMs").GetProperty("total").GetDouble() > 0);
        Assert.True(json.GetProperty("timingsMs").GetProperty("decode").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("instance").GetString()));
    }

    [Fact]
    public async Task Multipart_with_several_files_returns_a_batch_in_request_order()
    {
        using var client = Service.CreateClient(ContractKeys.Function);
        using var form = new MultipartFormDataContent
        {
            { TestHttp.ImageFile("sample5.jpg"), "images", "sample5.jpg" },
            { TestHttp.ImageFile("grace_hopper_512x512.jpg"), "images", "grace_hopper_512x512.jpg" },
            { TestHttp.ImageFile("640px-IceBlockNearJoekullsarlon.jpg"), "images", "ice.jpg" },
        };
        using var response = await client.PostAsync("api/detect", form);
        var results = (await TestHttp.JsonAsync(response)).GetProperty("results");

        Assert.Equal([5, 1, 0], results.EnumerateArray().Select(r => r.GetProperty("faces").GetArrayLength()).ToArray());
        Assert.Equal([1920, 512, 640], results.EnumerateArray().Select(r => r.GetProperty("image").GetProperty("width").GetInt32()).ToArray());
        Assert.All(results.EnumerateArray(), r => Assert.Equal(fixture.ModelVersion, r.GetProperty("modelVersion").GetString()));
    }

    [Fact]
    public async Task Multipart_with_one_file_is_a_batch_of_one()
    {
        using var client = Service.CreateClient(ContractKeys.Function);
        using var form = new MultipartFormDataContent { { TestHttp.ImageContent(File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg")), "application/octet-stream"), "image", "g.jpg" } };
        using var response = await client.PostAsync("api/detect", form);
        var results = (await TestHttp.JsonAsync(response)).GetProperty("results");
        Assert.Equal(1, results.GetArrayLength());
        Assert.Equal(1, results[0].GetProperty("faces").GetArrayLength());
    }

    [Fact]
    public async Task Annotate_returns_a_decodable_jpeg_of_the_original_size()
    {
        using var client = Service.CreateClient(ContractKeys.Function);
        using var response = await client.PostAsync("api/detect?annotate=true", TestHttp.ImageFile("sample5.jpg"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", response.Headers.GetValues("X-Face-Count").Single());
        Assert.Equal(fixture.ModelVersion, response.Headers.GetValues("X-Model-Version").Single());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var image = Image.Load(bytes, out var format);
        Assert.IsType<JpegFormat>(format);
        Assert.Equal((1920, 1398), (image.Width, image.Height));
    }

    [Fact]
    public async Task Accept_image_png_returns_an_annotated_png()
    {
        using var client = Service.CreateClient(ContractKeys.Function);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = TestHttp.ImageFile("grace_hopper_512x512.jpg") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));
        using var response = await client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var image = Image.Load(await response.Content.ReadAsByteArrayAsync(), out var format);
        Assert.IsType<PngFormat>(format);
        Assert.Equal((512, 512), (image.Width, image.Height));
    }

    [Fact]
    public async Task Threshold_and_maxFaces_shape_the_answer()
    {
        using var client = Service.CreateClient(ContractKeys.Function);
        using var capped = await client.PostAsync("api/detect?maxFaces=2", TestHttp.ImageFile("sample5.jpg"));
        Assert.Equal(2, (await TestHttp.JsonAsync(capped)).GetProperty("faces").GetArrayLength());
        using var strict = await client.PostAsync("api/detect?threshold=0.99", TestHttp.ImageFile("sample5.jpg"));
        Assert.Equal(0, (await TestHttp.JsonAsync(strict)).GetProperty("faces").GetArrayLength());
        using var loose = await client.PostAsync("api/detect?threshold=0.5&maxFaces=100", TestHttp.ImageFile("sample5.jpg"));
        Assert.Equal(5, (await TestHttp.JsonAsync(loose)).GetProperty("faces").GetArrayLength());
        // maxSide is accepted for every family; BlazeFace (this fixture's model) always runs at 256 px.
        using var capped640 = await client.PostAsync("api/detect?maxSide=640", TestHttp.ImageFile("sample5.jpg"));
        Assert.Equal(5, (await TestHttp.JsonAsync(capped640)).GetProperty("faces").GetArrayLength());
    }

    [Fact]
    public async Task Keys_are_accepted_as_header_or_code_query_and_the_admin_key_opens_detect_too()
    {
        using var anonymous = Service.CreateClient();
        using (var byQuery = await anonymous.PostAsync($"api/detect?code={ContractKeys.Function}", TestHttp.ImageFile("grace_hopper_512x512.jpg")))
            Assert.Equal(200, (int)byQuery.StatusCode);
        using var admin = Service.CreateClient(ContractKeys.Admin);
        using (var byAdmin = await admin.PostAsync("api/detect", TestHttp.ImageFile("grace_hopper_512x512.jpg")))
            Assert.Equal(200, (int)byAdmin.StatusCode);
    }

    [Fact]
    public async Task Health_is_anonymous_and_names_the_model()
    {
        using var client = Service.CreateClient();
        using var response = await client.GetAsync("api/health");
        var json = await TestHttp.JsonAsync(response);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Equal(fixture.ModelVersion, json.GetProperty("modelVersion").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("instance").GetString()));
    }

    [Fact]
    public async Task Eight_clients_times_one_hundred_requests_all_succeed()
    {
        var bytes = File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg"));
        using var client = Service.CreateClient(ContractKeys.Function);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var codes = new List<int>(100);
            for (var i = 0; i < 100; i++)
            {
                using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(bytes, "image/jpeg"));
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                codes.Add((int)response.StatusCode == 200 && json.GetProperty("faces").GetArrayLength() == 1 ? 200 : (int)response.StatusCode);
            }
            return codes;
        })));
        Assert.Equal(800, statuses.SelectMany(c => c).Count(c => c == 200));
    }
}
