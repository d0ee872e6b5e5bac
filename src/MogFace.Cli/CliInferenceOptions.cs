using Microsoft.Extensions.Configuration;
using MogFace.Engine.Inference;
using MogFace.Registry.Configuration;

namespace MogFace.Cli;

/// <summary>
/// The CLI's session settings, read as the hosts read theirs: the <c>MogFace__*</c> environment variables
/// (ExecutionProvider, IntraOpThreads, InterOpThreads, CudaDeviceId) through <see cref="MogFaceOptions.Inference"/>,
/// so a command sizes its threads by the same rule as a server. Two differences: the provider defaults to CPU (the
/// CLI ships the CPU runtime), and the concurrent runs are the command's own, not the detection limiter's.
/// </summary>
internal static class CliInferenceOptions
{
    public static InferenceOptions FromEnvironment(int concurrentRuns) =>
        From(new ConfigurationBuilder().AddEnvironmentVariables().Build(), concurrentRuns);

    internal static InferenceOptions From(IConfiguration configuration, int concurrentRuns)
    {
        var section = configuration.GetSection(MogFaceOptions.Section);
        MogFaceOptions options;
        try
        {
            options = section.Get<MogFaceOptions>() ?? new MogFaceOptions();
        }
        catch (InvalidOperationException ex) // a value that does not parse, e.g. MogFace__IntraOpThreads=many
        {
            throw new CliException($"A MogFace__* environment setting is not valid: {ex.Message}");
        }
        if (section[nameof(MogFaceOptions.ExecutionProvider)] is null)
            options.ExecutionProvider = ExecutionProviderPreference.Cpu;
        options.MaxConcurrentDetections = concurrentRuns;
        return options.Inference;
    }
}
