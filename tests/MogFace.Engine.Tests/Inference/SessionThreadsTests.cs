using Microsoft.ML.OnnxRuntime;
using MogFace.Engine.Inference;
using MogFace.Tests.Shared;

namespace MogFace.Engine.Tests.Inference;

/// <summary>
/// The threads a session is created with: serving sessions take the configured counts, validation sessions one
/// thread in sequence (they run beside serving ones), and the default shares the cores among the concurrent runs.
/// </summary>
public sealed class SessionThreadsTests
{
    [Fact]
    public void A_validation_session_runs_on_one_intra_op_thread_whatever_serving_is_configured_with()
    {
        var factory = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 4, InterOpThreads = 3 });

        using var serving = factory.ServingOptions();
        using var validation = SessionFactory.ValidationOptions();

        Assert.Equal(4, serving.IntraOpNumThreads);
        Assert.Equal(1, validation.IntraOpNumThreads);
        Assert.Equal(ExecutionMode.ORT_SEQUENTIAL, validation.ExecutionMode);
    }

    [Fact]
    public void Inter_op_threads_switch_on_parallel_execution_and_zero_keeps_operators_in_sequence()
    {
        using var parallel = new SessionFactory(new InferenceOptions { InterOpThreads = 2 }).ServingOptions();
        using var sequential = new SessionFactory(new InferenceOptions()).ServingOptions();

        Assert.Equal((ExecutionMode.ORT_PARALLEL, 2), (parallel.ExecutionMode, parallel.InterOpNumThreads));
        Assert.Equal(ExecutionMode.ORT_SEQUENTIAL, sequential.ExecutionMode);
        Assert.Equal(0, sequential.IntraOpNumThreads); // unset: ONNX Runtime's own choice
    }

    [Fact]
    public void The_default_shares_the_cores_among_the_concurrent_runs_and_a_configured_count_wins()
    {
        var cores = Environment.ProcessorCount;

        Assert.Equal(cores, InferenceThreads.IntraOpFor(0, concurrentRuns: 1));
        Assert.Equal(1, InferenceThreads.IntraOpFor(0, concurrentRuns: cores));
        Assert.Equal(1, InferenceThreads.IntraOpFor(0, concurrentRuns: 4 * cores));
        Assert.Equal(Math.Max(1, cores / 2), InferenceThreads.IntraOpFor(0, concurrentRuns: 2));
        Assert.Equal(3, InferenceThreads.IntraOpFor(3, concurrentRuns: cores));
        Assert.Equal(cores, InferenceThreads.ConcurrentRuns(0));
        Assert.Equal(5, InferenceThreads.ConcurrentRuns(5));
    }

    [Fact]
    public void A_validation_session_loads_and_runs_on_the_cpu()
    {
        var factory = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 2 });

        using var model = FaceModel.Load(factory, File.ReadAllBytes(RepoPaths.BlazeFaceFront), null, "front", cpuOnly: true);

        Assert.Equal("CPU", model.Provider);
        Assert.Null(model.Pipeline.SmokeTest());
    }
}
