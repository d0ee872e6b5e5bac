using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MogFace.Infra.Tests;

[Collection(CompiledTemplateCollection.Name)]
public sealed class TemplateTests(CompiledTemplateFixture fixture)
{
    private const string T4 = "Consumption-GPU-NC8as-T4";
    private const string A100 = "Consumption-GPU-NC24-A100";

    private ArmTemplate Main => fixture.Template;

    [Fact]
    public void CheckScript_ReportsACleanBuildWithThePinnedBicep()
    {
        Assert.Contains("Bicep CLI version 0.49.2", fixture.CheckOutput, StringComparison.Ordinal);
        Assert.Contains("check.sh: OK", fixture.CheckOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void MainTemplate_IsSubscriptionScopedAndTagsTheResourceGroupWithTheAzdEnvironment()
    {
        Assert.Contains("subscriptionDeploymentTemplate", (string?)Main.Json["$schema"], StringComparison.Ordinal);
        var (_, rg) = Main.Single("Microsoft.Resources/resourceGroups");
        var tags = (JsonObject)Main.Resolve(rg["tags"])!;
        Assert.Equal("[parameters('environmentName')]", (string?)tags["azd-env-name"]);
    }

    [Fact]
    public void Environment_HasConsumptionAndAServerlessGpuProfile_T4ByDefault_A100Allowed()
    {
        var (scope, environment) = Main.Single("Microsoft.App/managedEnvironments");
        var profiles = environment["properties"]!["workloadProfiles"]!.AsArray()
            .Select(p => (Name: scope.ResolveString(p!["name"]), Type: scope.ResolveString(p["workloadProfileType"])))
            .ToList();

        Assert.Contains(("Consumption", "Consumption"), profiles);
        var gpu = Assert.Single(profiles, p => p.Type is not null && p.Type.StartsWith("Consumption-GPU-", StringComparison.Ordinal));
        Assert.Equal(T4, gpu.Type);

        var allowed = Main.Json["parameters"]!["gpuProfileType"]!["allowedValues"]!.AsArray().Select(v => (string)v!).ToArray();
        Assert.Equal([T4, A100], allowed);
    }

    [Fact]
    public void FunctionApp_IsAContainerAppOfKindFunctionApp_OnTheGpuProfile()
    {
        var (envScope, environment) = Main.Single("Microsoft.App/managedEnvironments");
        var gpuProfileName = environment["properties"]!["workloadProfiles"]!.AsArray()
            .Select(p => (Name: envScope.ResolveString(p!["name"]), Type: envScope.ResolveString(p["workloadProfileType"])))
            .Single(p => p.Type == T4).Name;

        var (scope, app) = Main.Single("Microsoft.App/containerApps");
        Assert.Equal("functionapp", (string?)app["kind"]);
        Assert.Equal(gpuProfileName, scope.ResolveString(app["properties"]!["workloadProfileName"]));
        Assert.Equal("functions", AzdServiceNameFromUnion((string?)app["tags"]));

        var scale = app["properties"]!["template"]!["scale"]!;
        Assert.Equal("[parameters('minReplicas')]", (string?)scale["minReplicas"]);
        Assert.Equal("[parameters('maxReplicas')]", (string?)scale["maxReplicas"]);
        Assert.Equal("1", Main.ResolveString(Main.Json["parameters"]!["minReplicas"]!["defaultValue"]));

        // The app runs as the user-assigned identity and pulls from ACR with it (no registry password).
        Assert.Equal("UserAssigned", (string?)app["identity"]!["type"]);
        var registry = Assert.Single(app["properties"]!["configuration"]!["registries"]!.AsArray());
        Assert.Equal("[parameters('identityId')]", (string?)registry!["identity"]);
        Assert.Null(registry["passwordSecretRef"]);
        Assert.Contains("'identity'", (string?)scope.Passed("identityId"), StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_ProbesLivenessAndReadinessOnTheAppsOwnRoutes()
    {
        var (_, app) = Main.Single("Microsoft.App/containerApps");
        var container = Assert.Single(app["properties"]!["template"]!["containers"]!.AsArray())!;
        var probes = container["probes"]!.AsArray().ToDictionary(p => (string)p!["type"]!, p => p!);
        Assert.Equal(["Liveness", "Readiness", "Startup"], probes.Keys.Order());
        Assert.Equal("/api/health/live", (string?)probes["Liveness"]["httpGet"]!["path"]);
        Assert.Equal("/api/health/live", (string?)probes["Startup"]["httpGet"]!["path"]);
        Assert.Equal("/api/health/ready", (string?)probes["Readiness"]["httpGet"]!["path"]);
        var ingressPort = app["properties"]!["configuration"]!["ingress"]!["targetPort"]!.ToJsonString();
        Assert.All(probes.Values, p => Assert.Equal(ingressPort, p["httpGet"]!["port"]!.ToJsonString()));
        // The plain health route answers 503 until a model is loaded: as a probe it would keep a fresh
        // deployment from ever receiving the upload of its first model.
        Assert.DoesNotContain(probes.Values, p => (string?)p["httpGet"]!["path"] == "/api/health");
    }

    [Fact]
    public void FunctionApp_UsesIdentityBasedHostStorage()
    {
        var env = ContainerEnv();
        Assert.DoesNotContain("AzureWebJobsStorage", env.Keys);
        Assert.Equal("managedidentity", env["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", env["AzureWebJobsStorage__clientId"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.Matches($@"primaryEndpoints\.{service}\]$", env[$"AzureWebJobsStorage__{service}ServiceUri"]);
        }

        Assert.Equal(
            "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
            env["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("true", env["AzureWebJobs.IngestWeightsBlob.Disabled"]);
        Assert.Equal("false", env["AzureWebJobs.IngestWeightsEventGrid.Disabled"]);
        Assert.Equal("cuda", Main.ResolveString(Main.Json["parameters"]!["executionProvider"]!["defaultValue"]));
    }

    [Fact]
    public void Identity_GetsTheStorageAcrAndTelemetryRoles_ByGuidNamedAssignments()
    {
        var rbac = Main.Module("rbac");
        var roles = (JsonObject)rbac.Variable("roles")!;
        var assigned = new List<(string Role, string Scope)>();
        foreach (var (scope, resource) in rbac.AllResources().Where(r => (string?)r.Resource["type"] == "Microsoft.Authorization/roleAssignments"))
        {
            var properties = resource["properties"]!;
            if ((string?)properties["principalId"] != "[parameters('appPrincipalId')]")
            {
                continue;
            }

            Assert.StartsWith("[guid(", (string?)resource["name"], StringComparison.Ordinal);
            Assert.Contains("parameters('appPrincipalId')", (string?)resource["name"], StringComparison.Ordinal);
            var roleExpression = Regex.Match((string)properties["roleDefinitionId"]!, @"roleDefinitions', (.+)\)\]$").Groups[1].Value;
            var scopeType = Regex.Match((string)resource["scope"]!, @"resourceId\('([^']+)'").Groups[1].Value;
            if (roleExpression == "variables('storageRoles')[copyIndex()]")
            {
                assigned.AddRange(((JsonArray)scope.Variable("storageRoles")!).Select(r => ((string)r!, scopeType)));
            }
            else
            {
                var key = Regex.Match(roleExpression, @"^variables\('roles'\)\.(\w+)$").Groups[1].Value;
                assigned.Add(((string)roles[key]!, scopeType));
            }
        }

        Assert.Equal(
            new[]
            {
                ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts"), // Storage Blob Data Owner
                ("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts"), // Storage Queue Data Contributor
                ("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts"), // Storage Table Data Contributor
                ("7f951dda-4ed3-4680-a7ca-43fe172d538d", "Microsoft.ContainerRegistry/registries"), // AcrPull
                ("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components"), // Monitoring Metrics Publisher
            }.OrderBy(x => x.Item1),
            assigned.OrderBy(x => x.Role));

        // The principal that gets the roles is the identity the app runs as.
        Assert.Matches(@"'identity'\), '[^']+'\)\.outputs\.principalId\.value\]$", (string?)rbac.Passed("appPrincipalId"));
    }

    [Fact]
    public void Storage_IsIdentityOnly_WithThePrivateWeightsAndModelsContainers()
    {
        var (scope, account) = Main.Single("Microsoft.Storage/storageAccounts");
        var properties = account["properties"]!;
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);

        var (_, container) = Main.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", (string?)container["properties"]!["publicAccess"]);
        var names = ((JsonArray)scope.Parameter("containers")!).Select(n => (string)n!).ToArray();
        Assert.Equal(["weights", "models"], names);
    }

    [Fact]
    public void Monitoring_HasLocalAuthDisabled()
    {
        var (_, insights) = Main.Single("Microsoft.Insights/components");
        Assert.True((bool)insights["properties"]!["DisableLocalAuth"]!);
        var (_, workspace) = Main.Single("Microsoft.OperationalInsights/workspaces");
        Assert.True((bool)workspace["properties"]!["features"]!["disableLocalAuth"]!);
        var (_, environment) = Main.Single("Microsoft.App/managedEnvironments");
        Assert.Equal("azure-monitor", (string?)environment["properties"]!["appLogsConfiguration"]!["destination"]);
    }

    [Fact]
    public void EventGrid_SystemTopicWatchesTheStorageAccount()
    {
        var (_, topic) = Main.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
        Assert.Matches(@"'storage'\), '[^']+'\)\.outputs\.id\.value\]$", (string?)Main.Module("eventgrid").Passed("storageAccountId"));
    }

    [Fact]
    public void Alerts_CoverSwapAndIngestionFailures_SlowSwaps_DetectErrorRate_AndCanaryRollbacks()
    {
        var alerts = Main.Module("alerts");
        var rules = (JsonArray)alerts.Variable("rules")!;
        string Query(string suffix) => (string)rules.Single(r => (string?)r!["suffix"] == suffix)!["query"]!;

        var failures = Query("model-swap-or-ingestion-failed");
        Assert.Contains("mogface.model.swap_failures", failures, StringComparison.Ordinal);
        Assert.Contains("mogface.ingestion.rejected", failures, StringComparison.Ordinal);

        Assert.Contains("mogface.model.swap.duration", Query("model-swap-slow"), StringComparison.Ordinal);
        Assert.Equal("60", alerts.ResolveString(alerts.Json["parameters"]!["slowSwapSeconds"]!["defaultValue"]));

        var errorRate = Query("detect-error-rate");
        Assert.Contains("mogface.detect.errors", errorRate, StringComparison.Ordinal);
        Assert.Contains("mogface.detect.duration", errorRate, StringComparison.Ordinal);
        Assert.Equal("10", alerts.ResolveString(alerts.Json["parameters"]!["detectErrorRatePercent"]!["defaultValue"]));

        var rollback = Query("canary-rolled-back");
        Assert.Contains("mogface.canary.decisions", rollback, StringComparison.Ordinal);
        Assert.Contains("'rollback'", rollback, StringComparison.Ordinal);

        var (_, rule) = alerts.Single("Microsoft.Insights/scheduledQueryRules");
        Assert.Equal("[variables('actions')]", (string?)rule["properties"]!["actions"]);
        Assert.Equal(
            "[if(empty(parameters('actionGroupId')), createArray(), createArray(parameters('actionGroupId')))]",
            (string?)alerts.Json["variables"]!["actions"]!["actionGroups"]);
        Assert.Equal("[parameters('actionGroupId')]", alerts.Passed("actionGroupId"));
        Assert.Equal(["[parameters('applicationInsightsId')]"], rule["properties"]!["scopes"]!.AsArray().Select(n => (string)n!).ToArray());
    }

    [Fact]
    public void Outputs_IncludeTheAppUrlStorageAccountAndContainerNames()
    {
        var outputs = (JsonObject)Main.Json["outputs"]!;
        Assert.Contains("MOGFACE_URL", outputs.Select(o => o.Key));
        Assert.Contains("AZURE_STORAGE_ACCOUNT_NAME", outputs.Select(o => o.Key));
        Assert.Equal("weights", Main.Output("MOGFACE_WEIGHTS_CONTAINER")?.GetValue<string>());
        Assert.Equal("models", Main.Output("MOGFACE_MODELS_CONTAINER")?.GetValue<string>());
        // Read by the postdeploy hook and by azd itself.
        foreach (var name in new[] { "AZURE_RESOURCE_GROUP", "AZURE_CONTAINER_REGISTRY_ENDPOINT", "SERVICE_FUNCTIONS_NAME", "SERVICE_FUNCTIONS_URI", "EVENTGRID_SYSTEM_TOPIC_NAME" })
        {
            Assert.Contains(name, outputs.Select(o => o.Key));
        }
    }

    [Theory]
    [InlineData("AccountKey=")]
    [InlineData("listKeys(")]
    [InlineData("listSecrets(")]
    [InlineData("SharedAccessSignature")]
    [InlineData("\"sharedKey\"")]
    [InlineData("password")]
    public void CompiledTemplate_HasNoSecretLiterals(string needle)
    {
        Assert.DoesNotContain(needle, fixture.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NoBicepRegistryModules()
    {
        foreach (var file in Directory.EnumerateFiles(RepoPaths.File("infra"), "*.bicep", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("br/public:", File.ReadAllText(file), StringComparison.Ordinal);
            Assert.DoesNotContain("br:", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    private static string? AzdServiceNameFromUnion(string? tagsExpression) =>
        tagsExpression is null ? null : Regex.Match(tagsExpression, @"createObject\('azd-service-name', '([^']+)'\)").Groups[1].Value;

    private Dictionary<string, string> ContainerEnv()
    {
        var (_, app) = Main.Single("Microsoft.App/containerApps");
        var container = Assert.Single(app["properties"]!["template"]!["containers"]!.AsArray());
        // Key settings come from secrets (secretRef, no value): not plain settings.
        return ArmEnv.Entries(container!["env"]!).Where(e => e!["value"] is not null)
            .ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);
    }
}
