using System.Text.Json.Nodes;

namespace MogFace.Infra.Tests;

/// <summary>
/// Every setting the code reads locally (local.settings.sample.json) must be set on the container app by
/// the Bicep, except the documented deliberate differences below.
/// </summary>
[Collection(CompiledTemplateCollection.Name)]
public sealed class AppSettingsTests(CompiledTemplateFixture fixture)
{
    /// <summary>
    /// Local keys that are replaced in Azure, with what replaces them and why.
    /// AzureWebJobsStorage: locally a connection string to Azurite ("UseDevelopmentStorage=true"); in Azure the
    /// host and the app use the managed identity (AzureWebJobsStorage__* service URIs + credential + client id),
    /// because the storage account has shared-key access disabled and no connection string exists.
    /// </summary>
    private static readonly Dictionary<string, string[]> ReplacedInAzure = new()
    {
        ["AzureWebJobsStorage"] =
        [
            "AzureWebJobsStorage__blobServiceUri",
            "AzureWebJobsStorage__queueServiceUri",
            "AzureWebJobsStorage__tableServiceUri",
            "AzureWebJobsStorage__credential",
            "AzureWebJobsStorage__clientId",
        ],
    };

    /// <summary>
    /// Keys present in both whose values differ on purpose.
    /// MogFace__ExecutionProvider: auto locally (dev machines and CI have no GPU), cuda on the GPU profile.
    /// The two Disabled flags: locally the polling blob trigger runs (Azurite has no Event Grid); in Azure
    /// the Event Grid one runs (it can wake the app from zero replicas) and the polling one is off.
    /// App Insights keys: empty locally (no telemetry), the component's values in Azure.
    /// </summary>
    private static readonly HashSet<string> DifferentValueOnPurpose =
    [
        "MogFace__ExecutionProvider",
        "AzureWebJobs.IngestWeightsBlob.Disabled",
        "AzureWebJobs.IngestWeightsEventGrid.Disabled",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    /// <summary>
    /// Options the Functions app binds but that must stay unset: InstanceId (default: the replica name the
    /// platform provides; one fixed value would make every replica the same instance). FunctionKey and
    /// AdminKey belong to the standalone server only (the Functions host manages its own keys).
    /// </summary>
    private static readonly HashSet<string> OptionsLeftUnset = ["InstanceId"];

    [Fact]
    public void EveryMogFaceOption_TheCodeBinds_IsInTheLocalSample()
    {
        // Read the options class from source: the infra tests do not build against the app.
        var source = System.IO.File.ReadAllText(RepoPaths.File("src", "MogFace.Registry", "Configuration", "MogFaceOptions.cs"));
        var options = System.Text.RegularExpressions.Regex.Matches(source, @"public [\w?.<>]+ (\w+) \{ get; set; \}")
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.Contains("PollInterval", options); // the pattern still matches the file's style
        var local = LocalValues(LoadLocalSample());
        var missing = options.Where(o => !OptionsLeftUnset.Contains(o) && !local.ContainsKey("MogFace__" + o)).ToList();
        Assert.True(missing.Count == 0, $"MogFaceOptions binds these but local.settings.sample.json (and so the Bicep) lacks them: {string.Join(", ", missing)}");
    }

    [Fact]
    public void LocalSample_IsAFunctionsLocalSettingsFile_ForAzurite()
    {
        var root = LoadLocalSample();
        Assert.False((bool)root["IsEncrypted"]!);
        var values = LocalValues(root);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("true", values["AzureWebJobs.IngestWeightsEventGrid.Disabled"]);
        Assert.Equal("false", values["AzureWebJobs.IngestWeightsBlob.Disabled"]);
    }

    [Fact]
    public void EveryLocalSetting_IsSetOnTheContainerApp_OrDeliberatelyReplaced()
    {
        var local = LocalValues(LoadLocalSample());
        var azure = AzureSettings();

        var missing = local.Keys
            .Where(key => !ReplacedInAzure.ContainsKey(key))
            .Where(key => !azure.ContainsKey(key))
            .ToList();
        Assert.True(missing.Count == 0, $"Set locally but not by the Bicep: {string.Join(", ", missing)}");

        foreach (var (localKey, replacements) in ReplacedInAzure)
        {
            Assert.Contains(localKey, local.Keys);
            Assert.DoesNotContain(localKey, azure.Keys);
            foreach (var replacement in replacements)
            {
                Assert.Contains(replacement, azure.Keys);
            }
        }
    }

    [Fact]
    public void SharedSettings_HaveTheSameValuesLocallyAndInAzure_UnlessDocumented()
    {
        var local = LocalValues(LoadLocalSample());
        var azure = AzureSettings();
        var mismatches = local
            .Where(pair => azure.ContainsKey(pair.Key) && !DifferentValueOnPurpose.Contains(pair.Key))
            .Where(pair => azure[pair.Key] != pair.Value)
            .Select(pair => $"{pair.Key}: local '{pair.Value}' vs Azure '{azure[pair.Key]}'")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));

        // The documented differences really are different (else the list is stale).
        foreach (var key in DifferentValueOnPurpose)
        {
            Assert.NotEqual(local[key], azure[key]);
        }
    }

    private static JsonObject LoadLocalSample() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(RepoPaths.File("local.settings.sample.json")))!;

    private static Dictionary<string, string> LocalValues(JsonObject root) =>
        ((JsonObject)root["Values"]!).ToDictionary(p => p.Key, p => (string)p.Value!);

    /// <summary>The container app's env, with parameter/variable plumbing resolved to the defaults.</summary>
    private Dictionary<string, string> AzureSettings()
    {
        var (scope, app) = fixture.Template.Single("Microsoft.App/containerApps");
        var container = Assert.Single(app["properties"]!["template"]!["containers"]!.AsArray());
        // Key settings come from secrets (secretRef, no value): not plain settings.
        return ArmEnv.Entries(container!["env"]!).Where(e => e!["value"] is not null).ToDictionary(
            e => (string)e!["name"]!,
            e => scope.ResolveString(e!["value"]) ?? string.Empty);
    }
}
