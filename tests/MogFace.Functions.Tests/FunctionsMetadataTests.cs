using System.Reflection;
using System.Text.Json;

namespace MogFace.Functions.Tests;

/// <summary>
/// What the Functions host will index, read from the build output the worker SDK generated
/// (functions.metadata, extensions.json): no Functions host runs here, so this is the contract check.
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
            ["ActivateModel", "ClearCanary", "Console", "Detect", "Health", "IngestWeightsBlob", "IngestWeightsEventGrid", "ListModels", "RollbackModel", "SetCanary", "UploadModel"],
            Functions.Keys.Order().ToArray());
    }

    [Theory]
    [InlineData("Detect", "detect", "post", "Function")]
    [InlineData("Health", "health", "get", "Anonymous")]
    [InlineData("Console", "console/{*path}", "get", "Anonymous")]
    [InlineData("ListModels", "models", "get", "Admin")]
    [InlineData("UploadModel", "models", "post", "Admin")]
    [InlineData("ActivateModel", "models/{version}/activate", "post", "Admin")]
    [InlineData("RollbackModel", "models/rollback", "post", "Admin")]
    [InlineData("SetCanary", "models/canary", "put", "Admin")]
    [InlineData("ClearCanary", "models/canary", "delete", "Admin")]
    public void Http_functions_have_their_route_method_and_auth_level(string function, string route, string method, string authLevel)
    {
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(new[] { method }, trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        var output = Functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "Out");
        Assert.Equal("http", output.GetProperty("type").GetString());
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
