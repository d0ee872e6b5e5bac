using System.Reflection;
using System.Text.Json;
using MogFace.Http;

namespace MogFace.Functions.Tests;

/// <summary>
/// What the Functions host will index, read from the build output the worker SDK generated
/// (functions.metadata, extensions.json), checked against the route table the server maps; HostTier/ runs the app under the real host.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly string Output = typeof(FunctionsMetadataTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsOutput").Value!;

    private static readonly Dictionary<string, JsonElement> Functions = LoadFunctions();

    private static Dictionary<string, JsonElement> LoadFunctions()
    {
        var path = Path.Combine(Output, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/MogFace.Functions first");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f);
    }

    private static JsonElement Trigger(string function) =>
        Functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

    [Fact]
    public void Every_function_is_there_and_nothing_else()
    {
        Assert.Equal(
            ["ActivateModel", "ClearCanary", "Console", "DecideCanaryPlan", "DeleteModel", "Detect", "GetUpload", "Health", "IngestWeightsBlob", "IngestWeightsEventGrid", "ListModels", "Live", "PromoteCanary", "Ready", "RollbackModel", "SetCanary", "StartCanaryPlan", "UploadModel"],
            Functions.Keys.Order().ToArray());
    }

    [Fact]
    public void The_canary_plan_decider_is_a_timer_every_30_seconds()
    {
        var trigger = Trigger("DecideCanaryPlan");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("*/30 * * * * *", trigger.GetProperty("schedule").GetString());
    }

    public static TheoryData<string> HttpFunctions => new(ApiRoutes.Functions.Select(r => r.Name));

    /// <summary>
    /// The one route table (<see cref="ApiRoutes"/>) against what the worker SDK generated from the attributes:
    /// a route, method or name that differs between the hosts fails here. Every HTTP function is anonymous to the
    /// host: the product's keys are checked by ApiKeyMiddleware with the level from the same table.
    /// </summary>
    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void Http_functions_match_the_route_table_and_are_anonymous_to_the_host(string function)
    {
        var route = ApiRoutes.ByName(function)!;
        Assert.True(Functions.ContainsKey(function), $"{function} is in the route table but not a function");
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route.Template, trigger.GetProperty("route").GetString());
        Assert.Equal(new[] { route.Method.ToLowerInvariant() }, trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        var output = Functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "Out");
        Assert.Equal("http", output.GetProperty("type").GetString());
    }

    [Fact]
    public void Every_http_function_is_in_the_route_table()
    {
        var http = Functions.Where(f => f.Value.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "httpTrigger"))
            .Select(f => f.Key).Order().ToArray();
        Assert.Equal(ApiRoutes.Functions.Select(r => r.Name).Order().ToArray(), http);
    }

    [Theory]
    [InlineData("IngestWeightsBlob", null)]
    [InlineData("IngestWeightsEventGrid", "EventGrid")]
    public void Blob_triggers_watch_weights_through_AzureWebJobsStorage(string function, string? source)
    {
        var trigger = Trigger(function);
        Assert.Equal("blobTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("weights/{name}", trigger.GetProperty("path").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
        Assert.Equal(source, trigger.TryGetProperty("source", out var s) ? s.GetString() : null);
        Assert.Single(Functions[function].GetProperty("bindings").EnumerateArray());
    }

    [Fact]
    public void Extensions_json_loads_the_blob_extension()
    {
        var path = Path.Combine(Output, "extensions.json");
        var extensions = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("extensions").EnumerateArray().ToList();
        var blobs = extensions.Single(e => e.GetProperty("name").GetString() == "AzureStorageBlobs");
        Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Blobs", blobs.GetProperty("typeName").GetString());
        var hint = blobs.GetProperty("hintPath").GetString()!;
        Assert.True(File.Exists(Path.Combine(Output, hint)), $"{hint} is not in the output");
    }

    [Fact]
    public void Host_json_and_the_settings_sample_are_in_the_output()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, "host.json"))).RootElement;
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("api", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(host.TryGetProperty("functionTimeout", out _));

        var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, "local.settings.sample.json"))).RootElement.GetProperty("Values");
        Assert.Equal("dotnet-isolated", sample.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
        Assert.Equal("UseDevelopmentStorage=true", sample.GetProperty("AzureWebJobsStorage").GetString());
        // Locally the polling trigger runs (Azurite has no Event Grid); the Event Grid one is off.
        Assert.Equal("true", sample.GetProperty("AzureWebJobs.IngestWeightsEventGrid.Disabled").GetString());
    }
}
