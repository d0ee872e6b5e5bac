using System.Text;
using MogFace.Functions.Functions;
using MogFace.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Tests.Shared;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;
using MogFace.Registry.Administration;

namespace MogFace.Functions.Tests;

/// <summary>
/// The function classes invoked directly (no Functions host can run here) with real HttpRequest objects and
/// a real Azurite: the thin classes bind to the shared handlers and the registered services correctly.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionInvocationTests(AzuriteFixture azurite)
{
    private static byte[] Image(string name) => File.ReadAllBytes(Path.Combine(RepoPaths.Images, name));

    [Fact]
    public async Task Http_functions_from_empty_registry_to_detect_and_admin()
    {
        await using var host = await FunctionsHost.StartAsync(azurite);
        var health = host.Create<HealthFunction>();
        var detect = host.Create<DetectFunction>();
        var models = host.Create<ModelFunctions>();

        // Before any model: 503 + Retry-After from health and detect.
        var request = host.Request("GET", "/api/health");
        var before = await FunctionsHost.ExecuteAsync(request, health.Run(request));
        before.AssertProblem(503, "model-not-ready");
        Assert.False(string.IsNullOrEmpty(before.Headers.RetryAfter));
        request = host.Request("POST", "/api/detect", Image("grace_hopper_512x512.jpg"), "image/jpeg");
        (await FunctionsHost.ExecuteAsync(request, await detect.Run(request, default))).AssertProblem(503, "model-not-ready");

        // UploadModel → 201 version, then the watcher loads it.
        request = host.Request("POST", "/api/models", RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack), "application/octet-stream", "name=blazeface-back");
        var uploaded = (await FunctionsHost.ExecuteAsync(request, await models.Upload(request, default))).AssertJson(201);
        var version = uploaded.GetProperty("version").GetString()!;
        await host.WaitForModelAsync(version);

        request = host.Request("GET", "/api/health");
        var after = (await FunctionsHost.ExecuteAsync(request, health.Run(request))).AssertJson();
        Assert.Equal(version, after.GetProperty("modelVersion").GetString());
        Assert.True(after.GetProperty("stats").GetProperty("swaps").GetInt64() >= 1, "health carries the stats the console charts");

        // Detect: raw body, and a multipart batch.
        request = host.Request("POST", "/api/detect", Image("sample5.jpg"), "image/jpeg");
        var raw = await FunctionsHost.ExecuteAsync(request, await detect.Run(request, default));
        Assert.Equal(5, raw.AssertJson().GetProperty("faces").GetArrayLength());
        Assert.Equal(version, raw.Headers["X-Model-Version"].ToString());

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Image("sample5.jpg")), "images", "a.jpg" },
            { new ByteArrayContent(Image("grace_hopper_512x512.jpg")), "images", "b.jpg" },
        };
        var multipart = await form.ReadAsByteArrayAsync();
        request = host.Request("POST", "/api/detect", multipart, form.Headers.ContentType!.ToString());
        var batch = (await FunctionsHost.ExecuteAsync(request, await detect.Run(request, default))).AssertJson();
        Assert.Equal([5, 1], batch.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("faces").GetArrayLength()).ToArray());

        request = host.Request("POST", "/api/detect", Image("sample5.jpg"), "image/jpeg", "threshold=2");
        (await FunctionsHost.ExecuteAsync(request, await detect.Run(request, default))).AssertProblem(422, "invalid-parameter");
        request = host.Request("POST", "/api/detect", Image("sample5.jpg"), "text/plain");
        (await FunctionsHost.ExecuteAsync(request, await detect.Run(request, default))).AssertProblem(415, "unsupported-media-type");

        // Admin functions.
        request = host.Request("GET", "/api/models");
        var list = (await FunctionsHost.ExecuteAsync(request, await models.List(request, default))).AssertJson();
        Assert.Equal(version, list.GetProperty("pointer").GetProperty("active").GetString());

        request = host.Request("POST", "/api/models/nope-000000000000/activate");
        (await FunctionsHost.ExecuteAsync(request, await models.Activate(request, "nope-000000000000", default))).AssertProblem(404, "version-not-found");
        request = host.Request("POST", $"/api/models/{version}/activate");
        (await FunctionsHost.ExecuteAsync(request, await models.Activate(request, version, default))).AssertJson();

        request = host.Request("POST", "/api/models/rollback");
        (await FunctionsHost.ExecuteAsync(request, await models.Rollback(request, default))).AssertProblem(409, "no-previous-version");

        request = host.Request("PUT", "/api/models/canary", Encoding.UTF8.GetBytes($$"""{"version":"{{version}}","percent":101}"""), "application/json");
        (await FunctionsHost.ExecuteAsync(request, await models.SetCanary(request, default))).AssertProblem(422, "invalid-parameter");
        // The only registered version is the active one: a canary of it splits nothing.
        request = host.Request("PUT", "/api/models/canary", Encoding.UTF8.GetBytes($$"""{"version":"{{version}}","percent":20}"""), "application/json");
        (await FunctionsHost.ExecuteAsync(request, await models.SetCanary(request, default))).AssertProblem(422, "canary-is-active");
        request = host.Request("POST", "/api/models/canary/promote");
        (await FunctionsHost.ExecuteAsync(request, await models.PromoteCanary(request, default))).AssertProblem(409, "no-canary");
        request = host.Request("DELETE", "/api/models/canary");
        (await FunctionsHost.ExecuteAsync(request, await models.ClearCanary(request, default))).AssertJson();
    }

    [Fact]
    public async Task Blob_trigger_ingests_a_real_uploaded_blob_skips_manifests_and_never_throws_for_bad_weights()
    {
        await using var host = await FunctionsHost.StartAsync(azurite);
        var functions = host.Create<WeightsFunctions>();
        var admin = host.Services.GetRequiredService<IModelAdmin>();

        // Manifest first (skipped by the trigger, read by ingestion), then the weights.
        var manifest = host.Weights.GetBlobClient("front.json");
        await manifest.UploadAsync(Path.ChangeExtension(RepoPaths.BlazeFaceFront, ".json"), overwrite: true);
        await functions.IngestPolled(manifest, "front.json", default);
        Assert.Empty((await admin.ListAsync(default)).Versions);

        var weights = host.Weights.GetBlobClient("front.onnx");
        await weights.UploadAsync(RepoPaths.BlazeFaceFront, overwrite: true);
        await functions.IngestPolled(weights, "front.onnx", default);
        var registry = await admin.ListAsync(default);
        var version = Assert.Single(registry.Versions);
        Assert.StartsWith("front-", version.Version);
        Assert.Equal("blazeface", version.Family);
        Assert.Equal(version.Version, registry.Pointer?.Active);
        await host.WaitForModelAsync(version.Version);

        // The Event Grid function runs the same handler: same bytes, same version, nothing new.
        await functions.IngestFromEventGrid(weights, "front.onnx", default);
        Assert.Single((await admin.ListAsync(default)).Versions);

        // Bad weights: recorded as rejected, the pointer untouched, no exception (no poison loop).
        var bad = host.Weights.GetBlobClient("broken.onnx");
        await bad.UploadAsync(new BinaryData("not a model"u8.ToArray()), overwrite: true);
        await functions.IngestPolled(bad, "broken.onnx", default);
        registry = await admin.ListAsync(default);
        Assert.Contains(registry.Rejected, r => r.SourceBlob?.EndsWith("broken.onnx") == true || r.Name.StartsWith("broken"));
        Assert.Equal(version.Version, registry.Pointer?.Active);

        // A blob that vanished before the trigger ran: logged, not thrown.
        await functions.IngestPolled(host.Weights.GetBlobClient("gone.onnx"), "gone.onnx", default);
    }
}
