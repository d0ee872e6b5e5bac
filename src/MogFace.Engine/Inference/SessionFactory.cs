using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace MogFace.Engine.Inference;

/// <summary>A created session and the provider that actually runs it.</summary>
public sealed record SessionHandle(InferenceSession Session, string Provider) : IDisposable
{
    public void Dispose() => Session.Dispose();
}

/// <summary>
/// Creates ONNX Runtime sessions: CUDA when asked for and loadable, else CPU with the reason logged.
/// GetAvailableProviders() lists compiled-in providers, not usable ones, so the only honest test is to try;
/// on a CPU-only install (no CUDA provider library, see <see cref="CudaProviderLibrary"/>) Auto does not try, and
/// once the provider failed to load (the GPU package without CUDA libraries or a GPU) Auto does not try again.
/// </summary>
public sealed class SessionFactory(InferenceOptions options, ILogger<SessionFactory>? logger = null, bool? cudaProviderInstalled = null)
{
    // Tests pass the answer; hosts look beside the app.
    private readonly bool _cudaProviderInstalled = cudaProviderInstalled ?? CudaProviderLibrary.IsInstalled;

    private readonly ILogger _logger = logger ?? NullLogger<SessionFactory>.Instance;

    // Set once the CUDA provider failed to load (a process-wide condition), so Auto stops trying it.
    private volatile string? _cudaLoadFailure;

    public InferenceOptions Options => options;

    public SessionHandle Create(byte[] model) => Create(so => new InferenceSession(model, so));

    public SessionHandle Create(string path) => Create(so => new InferenceSession(path, so));

    /// <summary>
    /// A validation session: CPU regardless of the configured provider (validation must not occupy the GPU), on
    /// one intra-op thread, the caller's (it runs beside serving sessions, which the cores are sized for).
    /// </summary>
    public SessionHandle CreateCpu(byte[] model)
    {
        using var so = ValidationOptions();
        return new SessionHandle(new InferenceSession(model, so), "CPU");
    }

    /// <inheritdoc cref="CreateCpu(byte[])"/>
    public SessionHandle CreateCpu(string path)
    {
        using var so = ValidationOptions();
        return new SessionHandle(new InferenceSession(path, so), "CPU");
    }

    private SessionHandle Create(Func<SessionOptions, InferenceSession> open)
    {
        var required = options.ExecutionProvider == ExecutionProviderPreference.Cuda;
        var wanted = options.ExecutionProvider == ExecutionProviderPreference.Auto && _cudaProviderInstalled && _cudaLoadFailure is null;
        if (required || wanted)
        {
            var (handle, failure) = TryCuda(open);
            if (handle is not null)
                return handle;
            if (required)
                throw new InvalidOperationException($"The CUDA execution provider was required but could not be used: {failure}");
            _logger.LogWarning("CUDA execution provider unavailable, using CPU: {Reason}", failure);
        }
        using var cpu = ServingOptions();
        return new SessionHandle(open(cpu), "CPU");
    }

    private (SessionHandle? Handle, string? Failure) TryCuda(Func<SessionOptions, InferenceSession> open)
    {
        using var gpu = ServingOptions();
        try
        {
            gpu.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        }
        catch (Exception ex) when (IsProviderFailure(ex))
        {
            // The provider library, or the CUDA libraries it needs, did not load; they will not later in this process
            // either, so the next loads go straight to CPU instead of failing and warning again.
            _cudaLoadFailure = ex.Message;
            return (null, ex.Message);
        }
        try
        {
            return (new SessionHandle(open(gpu), "CUDA"), null);
        }
        catch (Exception ex) when (IsProviderFailure(ex))
        {
            return (null, ex.Message);
        }
    }

    private static bool IsProviderFailure(Exception ex) =>
        ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException;

    /// <summary>The options of a serving session: the configured threads (0 = ONNX Runtime's choice).</summary>
    internal SessionOptions ServingOptions()
    {
        var so = BaseOptions();
        if (options.IntraOpThreads > 0)
            so.IntraOpNumThreads = options.IntraOpThreads;
        if (options.InterOpThreads > 0)
        {
            // Inter-op threads only exist in parallel mode; sequential (the default) ignores the count.
            so.ExecutionMode = ExecutionMode.ORT_PARALLEL;
            so.InterOpNumThreads = options.InterOpThreads;
        }
        return so;
    }

    /// <summary>The options of a validation session: one thread, operators in sequence.</summary>
    internal static SessionOptions ValidationOptions()
    {
        var so = BaseOptions();
        so.IntraOpNumThreads = 1;
        so.InterOpNumThreads = 1;
        return so;
    }

    private static SessionOptions BaseOptions() => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };
}
