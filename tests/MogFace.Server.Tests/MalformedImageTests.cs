using System.Net.Http.Headers;
using System.Text;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, cases 10 and 12 over real HTTP: a cut-off image of any accepted format, and a multipart body whose
/// boundary is not the one its header names, are the client's error (400 problem+json), not a 200 with wrong
/// boxes or a 413.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class MalformedImageTests(KeyedServerFixture fixture)
{
    private HttpClient Client() => fixture.Server.CreateClient(KeyedServerFixture.FunctionKey);

    public static TheoryData<string> Formats => new(TruncatedImages.Formats);

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_cut_off_image_is_400(string format)
    {
        using var client = Client();
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(TruncatedImages.Cut(format), TruncatedImages.MediaType(format)));
        var problem = await TestHttp.AssertProblemAsync(response, 400, "undecodable-image");
        Assert.Contains("truncated", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(10_000)] // a small body: the reader runs out of bytes looking for the boundary
    [InlineData(ServerInstance.MaxImageBytes + 200_000)] // a large one: it passes the per-section cap first
    public async Task A_multipart_body_with_another_boundary_than_its_header_is_400(int fileBytes)
    {
        var file = new byte[fileBytes];
        File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg")).AsSpan(0, Math.Min(fileBytes, 50_000)).CopyTo(file);
        var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes("--real-boundary\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"));
        body.Write(file);
        body.Write(Encoding.ASCII.GetBytes("\r\n--real-boundary--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=wrong-boundary");

        using var client = Client();
        using var response = await client.PostAsync("api/detect", content);

        await TestHttp.AssertProblemAsync(response, 400, "malformed-request");
    }
}
