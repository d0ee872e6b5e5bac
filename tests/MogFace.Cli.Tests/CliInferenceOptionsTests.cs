using Microsoft.Extensions.Configuration;
using MogFace.Engine.Inference;

namespace MogFace.Cli.Tests;

/// <summary>The CLI sizes its sessions by the hosts' rule from the same <c>MogFace__*</c> settings, CPU unless told otherwise.</summary>
public sealed class CliInferenceOptionsTests
{
    private static InferenceOptions From(Dictionary<string, string?> settings, int concurrentRuns) =>
        CliInferenceOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), concurrentRuns);

    [Fact]
    public void One_image_at_a_time_uses_every_core_on_the_cpu()
    {
        var options = From([], concurrentRuns: 1);

        Assert.Equal((ExecutionProviderPreference.Cpu, Environment.ProcessorCount, 0), (options.ExecutionProvider, options.IntraOpThreads, options.InterOpThreads));
    }

    [Fact]
    public void One_run_per_core_gets_one_thread_each_as_on_a_server()
    {
        Assert.Equal(1, From([], concurrentRuns: Environment.ProcessorCount).IntraOpThreads);
    }

    [Fact]
    public void The_environment_settings_win()
    {
        var options = From(new()
        {
            ["MogFace:ExecutionProvider"] = "cuda",
            ["MogFace:IntraOpThreads"] = "3",
            ["MogFace:InterOpThreads"] = "2",
            ["MogFace:CudaDeviceId"] = "1",
        }, concurrentRuns: 1);

        Assert.Equal((ExecutionProviderPreference.Cuda, 3, 2, 1), (options.ExecutionProvider, options.IntraOpThreads, options.InterOpThreads, options.CudaDeviceId));
    }

    [Fact]
    public void A_setting_that_does_not_parse_is_a_user_error_naming_it()
    {
        var error = Assert.Throws<CliException>(() => From(new() { ["MogFace:IntraOpThreads"] = "many" }, concurrentRuns: 1));

        Assert.Contains("IntraOpThreads", error.Message);
    }
}
