using MogFace.Tests.Shared;

namespace MogFace.Functions.Tests.HostTier;

/// <summary>
/// The published folder is what the container image ships (infra/Dockerfile copies the publish output): it must
/// carry ONNX Runtime's native libraries for linux-x64, CPU and CUDA provider. That a model loads and detects from
/// it is shown by every host-tier test, which run this very folder under the real host.
/// </summary>
public sealed class PublishedAppTests
{
    [Theory]
    [InlineData("libonnxruntime.so")]
    [InlineData("libonnxruntime_providers_shared.so")]
    [InlineData("libonnxruntime_providers_cuda.so")]
    public void The_published_folder_carries_the_onnx_runtime_natives(string library)
    {
        var path = Path.Combine(RepoPaths.FunctionsPublish, "runtimes", "linux-x64", "native", library);
        Assert.True(File.Exists(path), $"{path} is missing: dotnet publish left ONNX Runtime out");
    }

    [Fact]
    public void The_image_ships_exactly_the_publish_output()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "Dockerfile"));
        Assert.Contains("dotnet publish src/MogFace.Functions/MogFace.Functions.csproj", dockerfile);
        Assert.Contains("--output /app/publish", dockerfile);
        Assert.Contains("COPY --from=build /app/publish /home/site/wwwroot", dockerfile);
    }
}
