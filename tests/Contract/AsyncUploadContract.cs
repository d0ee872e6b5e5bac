using System.Net.Http.Headers;
using System.Text.Json;
using MogFace.Tests.Shared;

namespace MogFace.Tests.Contract;

/// <summary>
/// POST /api/models?async=true under both hosts: 202 at once with Location = the upload's status resource
/// (admin key), which goes from validating to accepted or rejected. Neither upload here moves the pointer: one
/// is the registered default model again, the other is refused.
/// </summary>
public abstract class AsyncUploadContract(IKeyedEndpointFixture fixture)
{
    private IServiceEndpoint Service => fixture.Endpoint;

    [Fact]
    public async Task Registered_weights_sent_async_are_202_then_accepted_as_the_same_version()
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        var (location, started) = await StartAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "blazeface-back");
        Assert.Contains(started.GetProperty("state").GetString(), new[] { "validating", "accepted" });
        Assert.Equal("blazeface-back", started.GetProperty("name").GetString());

        var done = await WaitForVerdictAsync(admin, location);
        Assert.Equal("accepted", done.GetProperty("state").GetString());
        Assert.Equal(fixture.ModelVersion, done.GetProperty("version").GetString());
        Assert.True(done.GetProperty("alreadyRegistered").GetBoolean());
        Assert.Equal(started.GetProperty("id").GetString(), done.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Bad_weights_sent_async_are_202_then_rejected_with_the_reason_and_unknown_ids_are_404()
    {
        using var admin = Service.CreateClient(ContractKeys.Admin);
        var (location, _) = await StartAsync(admin, "not an onnx model"u8.ToArray(), "async-garbage");
        var done = await WaitForVerdictAsync(admin, location);
        Assert.Equal("rejected", done.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(done.GetProperty("code").GetString()));
        Assert.False(string.IsNullOrEmpty(done.GetProperty("reason").GetString()));
        Assert.False(done.TryGetProperty("version", out _));

        using (var unknown = await admin.GetAsync("api/models/uploads/0123456789abcdef0123456789abcdef"))
            await TestHttp.AssertProblemAsync(unknown, 404, "upload-not-found");
        using (var notAnId = await admin.GetAsync("api/models/uploads/..%2Fpointer"))
            Assert.Equal(404, (int)notAnId.StatusCode);
        using var list = await admin.GetAsync("api/models");
        Assert.Equal(fixture.ModelVersion, (await TestHttp.JsonAsync(list)).GetProperty("pointer").GetProperty("active").GetString());
    }

    private static async Task<(string Location, JsonElement Status)> StartAsync(HttpClient admin, byte[] weights, string name)
    {
        var content = new ByteArrayContent(weights);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await admin.PostAsync($"api/models?async=true&name={name}", content);
        var status = await TestHttp.JsonAsync(response, 202);
        var location = response.Headers.Location?.ToString();
        Assert.Equal($"/api/models/uploads/{status.GetProperty("id").GetString()}", location);
        return (location!, status);
    }

    private static async Task<JsonElement> WaitForVerdictAsync(HttpClient admin, string location)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement status = default;
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await admin.GetAsync(location.TrimStart('/'));
            status = await TestHttp.JsonAsync(response);
            if (status.GetProperty("state").GetString() != "validating")
                return status;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The upload at {location} is still validating: {status}");
    }
}
