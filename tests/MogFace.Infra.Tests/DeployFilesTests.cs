namespace MogFace.Infra.Tests;

/// <summary>The azd, Docker and hook files around the template (Docker cannot run here: content checks).</summary>
public sealed class DeployFilesTests
{
    private static string Read(params string[] parts) => File.ReadAllText(RepoPaths.File(parts));

    [Fact]
    public void AzureYaml_DeploysTheFunctionsProjectAsAContainerAppFromInfraDockerfile()
    {
        var yaml = Read("azure.yaml");
        Assert.Contains("project: ./src/MogFace.Functions", yaml, StringComparison.Ordinal);
        Assert.Contains("host: containerapp", yaml, StringComparison.Ordinal);
        Assert.Contains("path: ../../infra/Dockerfile", yaml, StringComparison.Ordinal);
        Assert.Contains("context: ../..", yaml, StringComparison.Ordinal);
        Assert.Contains("run: ./infra/scripts/postdeploy.sh", yaml, StringComparison.Ordinal);

        // docker.path and context are relative to the project folder: they must land on the repo files.
        var project = RepoPaths.File("src", "MogFace.Functions");
        Assert.Equal(RepoPaths.File("infra", "Dockerfile"), Path.GetFullPath(Path.Combine(project, "../../infra/Dockerfile")));
        Assert.Equal(RepoPaths.Root.TrimEnd('/'), Path.GetFullPath(Path.Combine(project, "../..")).TrimEnd('/'));
    }

    [Fact]
    public void PostdeployHook_SubscribesTheEventGridBlobTriggerWebhook()
    {
        var script = Read("infra", "scripts", "postdeploy.sh");
        Assert.Contains("runtime/webhooks/blobs?functionName=Host.Functions.$function_name", script, StringComparison.Ordinal);
        Assert.Contains("function_name=\"IngestWeightsEventGrid\"", script, StringComparison.Ordinal);
        Assert.Contains("blobs_extension", script, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Storage.BlobCreated", script, StringComparison.Ordinal);
        Assert.Contains("/blobServices/default/containers/$weights/blobs/", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_IsMultiStage_OnTheNet10FunctionsBase_WithCuda13Runtime_NonRoot()
    {
        var dockerfile = Read("infra", "Dockerfile");
        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0 AS runtime", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/MogFace.Functions/MogFace.Functions.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /app/publish /home/site/wwwroot", dockerfile, StringComparison.Ordinal);
        foreach (var package in new[] { "cuda-cudart-13-0", "libcublas-13-0", "libcurand-13-0" })
        {
            Assert.Contains(package, dockerfile, StringComparison.Ordinal);
        }

        foreach (var library in new[] { "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10" })
        {
            Assert.Contains(library, dockerfile, StringComparison.Ordinal);
        }

        Assert.Contains("AzureWebJobsScriptRoot=/home/site/wwwroot", dockerfile, StringComparison.Ordinal);
        Assert.Contains("AzureFunctionsJobHost__Logging__Console__IsEnabled=true", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_URLS=http://+:8080", dockerfile, StringComparison.Ordinal);
        var lastUser = dockerfile.Split('\n').Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", lastUser, StringComparison.Ordinal);
        Assert.NotEqual("USER 0", lastUser.Trim());
    }

    [Fact]
    public void DockerIgnore_KeepsBuildOutputsAndGitOutOfTheContext()
    {
        var lines = Read(".dockerignore").Split('\n').Select(l => l.Trim()).ToHashSet();
        Assert.Contains(".git", lines);
        Assert.Contains("**/bin", lines);
        Assert.Contains("**/obj", lines);
        Assert.Contains("node_modules", lines);
        Assert.DoesNotContain("src", lines);
    }
}
