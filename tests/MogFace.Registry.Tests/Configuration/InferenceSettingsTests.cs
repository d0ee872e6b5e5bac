using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MogFace.Engine.Inference;
using MogFace.Registry;

namespace MogFace.Registry.Tests.Configuration;

/// <summary>
/// <c>MogFace:IntraOpThreads</c>, <c>InterOpThreads</c> and <c>CudaDeviceId</c> reach the session factory the
/// hosts use; an unset intra-op count is sized from the detection limiter so that concurrent runs fit the cores.
/// </summary>
public sealed class InferenceSettingsTests
{
    private static InferenceOptions Bound(Dictionary<string, string?> settings)
    {
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddMogFaceRegistry(configuration).BuildServiceProvider();
        return services.GetRequiredService<SessionFactory>().Options;
    }

    [Fact]
    public void Configured_thread_counts_and_device_reach_the_session_factory()
    {
        var options = Bound(new()
        {
            ["MogFace:ExecutionProvider"] = "cpu",
            ["MogFace:IntraOpThreads"] = "3",
            ["MogFace:InterOpThreads"] = "2",
            ["MogFace:CudaDeviceId"] = "1",
        });

        Assert.Equal((ExecutionProviderPreference.Cpu, 3, 2, 1),
            (options.ExecutionProvider, options.IntraOpThreads, options.InterOpThreads, options.CudaDeviceId));
    }

    [Fact]
    public void By_default_each_of_the_one_run_per_core_gets_one_thread_and_operators_run_in_sequence()
    {
        var options = Bound(new());

        Assert.Equal((1, 0, 0), (options.IntraOpThreads, options.InterOpThreads, options.CudaDeviceId));
    }

    [Fact]
    public void Fewer_concurrent_detections_give_each_session_a_larger_share_of_the_cores()
    {
        var options = Bound(new() { ["MogFace:MaxConcurrentDetections"] = "1" });

        Assert.Equal(Environment.ProcessorCount, options.IntraOpThreads);
    }
}
