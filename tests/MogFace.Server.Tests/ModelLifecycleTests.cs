using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using MogFace.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// One open server (no keys) on an empty registry, walked through the operator story in order: 503 before the
/// first model, upload through the weights container (scan), upload through the admin route, rollback,
/// activate, canary. One test because each step depends on the previous one.
/// </summary>
public sealed class ModelLifecycleTests : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    private ServerInstance _server = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _server = await ServerInstance.StartAsync(_azurite);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task From_empty_registry_through_scan_upload_admin_upload_rollback_activate_and_canary()
    {
        using var client = _server.CreateClient(); // open server: no keys configured
        var grace = File.ReadAllBytes(TestHttp.Image("grace_hopper_512x512.jpg"));

        // Before the first model: health and detect answer 503 with Retry-After.
        using (var health = await client.GetAsync("api/health"))
        {
            await TestHttp.AssertProblemAsync(health, 503, "model-not-ready");
            Assert.True(health.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
        using (var detect = await client.PostAsync("api/detect", TestHttp.ImageContent(grace, "image/jpeg")))
        {
            await TestHttp.AssertProblemAsync(detect, 503, "model-not-ready");
            Assert.NotNull(detect.Headers.RetryAfter);
        }
        using (var list = await client.GetAsync("api/models"))
            Assert.Equal(0, (await TestHttp.JsonAsync(list)).GetProperty("versions").GetArrayLength());

        // 1. Upload into the weights container (what `mogface publish` does): manifest first, then weights.
        await _server.Weights.CreateIfNotExistsAsync();
        await _server.Weights.GetBlobClient("front.json").UploadAsync(Path.ChangeExtension(RepoPaths.BlazeFaceFront, ".json"), overwrite: true);
        await _server.Weights.GetBlobClient("front.onnx").UploadAsync(RepoPaths.BlazeFaceFront, overwrite: true);
        var front = await _server.WaitForModelAsync();
        Assert.StartsWith("front-", front);
        var marker = (await _server.Weights.GetBlobClient("front.onnx").GetPropertiesAsync()).Value.Metadata;
        Assert.Equal(front, marker["mogface_ingested"]);
        using (var detect = await client.PostAsync("api/detect", TestHttp.ImageContent(grace, "image/jpeg")))
        {
            Assert.Equal(200, (int)detect.StatusCode);
            Assert.Equal(front, detect.Headers.GetValues("X-Model-Version").Single());
        }
        using (var health = await client.GetAsync("api/health"))
        {
            // The 503 before the first model was a server-side failure: it counts for the error-rate alert.
            var stats = (await TestHttp.JsonAsync(health)).GetProperty("stats");
            Assert.Equal(1, stats.GetProperty("errors").GetInt64());
            Assert.Equal(1, stats.GetProperty("requests").GetInt64());
        }

        // 2. Upload through the admin route: 201, becomes active, detect answers with it.
        string back;
        using (var upload = await ServerInstance.UploadAsync(client, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "blazeface-back"))
        {
            var json = await TestHttp.JsonAsync(upload, 201);
            back = json.GetProperty("version").GetString()!;
            Assert.StartsWith("blazeface-back-", back);
            Assert.False(json.GetProperty("alreadyRegistered").GetBoolean());
        }
        await _server.WaitForModelAsync(back);
        await AssertDetectVersionAsync(client, grace, back);

        // Same bytes again: idempotent, same version.
        using (var again = await ServerInstance.UploadAsync(client, RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "blazeface-back"))
        {
            var json = await TestHttp.JsonAsync(again, 201);
            Assert.Equal(back, json.GetProperty("version").GetString());
            Assert.True(json.GetProperty("alreadyRegistered").GetBoolean());
        }

        // GET /api/models: pointer, both versions, this instance.
        using (var list = await client.GetAsync("api/models"))
        {
            var json = await TestHttp.JsonAsync(list);
            Assert.Equal(back, json.GetProperty("pointer").GetProperty("active").GetString());
            var versions = json.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()).ToHashSet();
            Assert.Superset(new HashSet<string?> { front, back }, versions);
        }

        // 3. Rollback → front; activate → back.
        using (var rollback = await client.PostAsync("api/models/rollback", null))
            Assert.Equal(front, (await TestHttp.JsonAsync(rollback)).GetProperty("active").GetString());
        await _server.WaitForModelAsync(front);
        await AssertDetectVersionAsync(client, grace, front);
        using (var activate = await client.PostAsync($"api/models/{back}/activate", null))
            Assert.Equal(back, (await TestHttp.JsonAsync(activate)).GetProperty("active").GetString());
        await _server.WaitForModelAsync(back);

        // 4. Canary at 100 %: every client gets the canary (marked), until it is cleared.
        using (var canary = await client.PutAsJsonAsync("api/models/canary", new { version = front, percent = 100 }))
        {
            var pointer = await TestHttp.JsonAsync(canary);
            Assert.Equal(front, pointer.GetProperty("canary").GetProperty("version").GetString());
            Assert.Equal(100, pointer.GetProperty("canary").GetProperty("percent").GetInt32());
        }
        await TestHttp.WaitUntilAsync(async () => await DetectVersionAsync(client, grace, "client-a") == front);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = TestHttp.ImageContent(grace, "image/jpeg") })
        {
            request.Headers.Add("X-Client-Id", "client-b");
            using var response = await client.SendAsync(request);
            Assert.Equal(front, response.Headers.GetValues("X-Model-Version").Single());
            Assert.Equal("true", response.Headers.GetValues("X-Model-Canary").Single());
        }
        using (var health = await client.GetAsync("api/health"))
        {
            // Even at 100 % health names the active version, with the canary beside it.
            var json = await TestHttp.JsonAsync(health);
            Assert.Equal(back, json.GetProperty("modelVersion").GetString());
            Assert.Equal(front, json.GetProperty("canary").GetProperty("version").GetString());
            Assert.Equal(100, json.GetProperty("canary").GetProperty("percent").GetInt32());
        }
        using (var clear = await client.DeleteAsync("api/models/canary"))
        {
            var pointer = await TestHttp.JsonAsync(clear);
            Assert.False(pointer.TryGetProperty("canary", out var c) && c.ValueKind != JsonValueKind.Null);
        }
        await TestHttp.WaitUntilAsync(async () => await DetectVersionAsync(client, grace, "client-a") == back);

        // 5. A re-upload of the container blob with new content is ingested again (a marked blob is not).
        var scanned = (await _server.Weights.GetBlobClient("front.onnx").GetPropertiesAsync()).Value.Metadata;
        Assert.True(scanned.ContainsKey("mogface_ingested"));
        await _server.Weights.GetBlobClient("front.onnx").UploadAsync(RepoPaths.BlazeFaceBack, overwrite: true);
        await TestHttp.WaitUntilAsync(async () =>
            (await _server.Weights.GetBlobClient("front.onnx").GetPropertiesAsync()).Value.Metadata.TryGetValue("mogface_ingested", out var v) && v.StartsWith("front-") && v != front);

        // 6. A restarted server (a fresh scan) skips every marked blob: nothing is ingested twice.
        var restarted = ActivatorUtilities.CreateInstance<WeightsContainerScan>(_server.App.Services);
        Assert.Equal(0, await restarted.ScanOnceAsync(_server.Weights, CancellationToken.None));
    }

    private static async Task<string?> DetectVersionAsync(HttpClient client, byte[] image, string clientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = TestHttp.ImageContent(image, "image/jpeg") };
        request.Headers.Add("X-Client-Id", clientId);
        using var response = await client.SendAsync(request);
        return response.Headers.TryGetValues("X-Model-Version", out var v) ? v.Single() : null;
    }

    private static async Task AssertDetectVersionAsync(HttpClient client, byte[] image, string version)
    {
        using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(image, "image/jpeg"));
        var json = await TestHttp.JsonAsync(response);
        Assert.Equal(version, response.Headers.GetValues("X-Model-Version").Single());
        Assert.Equal(version, json.GetProperty("modelVersion").GetString());
        Assert.Equal(1, json.GetProperty("faces").GetArrayLength());
    }
}
