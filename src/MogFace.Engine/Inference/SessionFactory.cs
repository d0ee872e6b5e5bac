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
/// GetAvailableProviders() lists compiled-in providers, not usable ones, so the only honest test is to try.
/// </summary>
public sealed class SessionFactory(InferenceOptions options, ILogger<SessionFactory>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<SessionFactory>.Instance;

    public InferenceOptions Options => options;

    public SessionHandle Create(byte[] model) => Create(so => new InferenceSession(model, so));

    public SessionHandle Create(string path) => Create(so => new InferenceSession(path, so));

    /// <summary>A CPU session regardless of the configured provider: validation must not occupy the GPU.</summary>
    public SessionHandle CreateCpu(byte[] model)
    {
        using var so = BaseOptions();
        return new SessionHandle(new InferenceSession(model, so), "CPU");
    }

    /// <inheritdoc cref="CreateCpu(byte[])"/>
    public SessionHandle CreateCpu(string path)
    {
        using var so = BaseOptions();
        return new SessionHandle(new InferenceSession(path, so), "CPU");
    }

    private SessionHandle Create(Func<SessionOptions, InferenceSession> open)
    {
        if (options.ExecutionProvider != ExecutionProviderPreference.Cpu)
        {
            using var gpu = BaseOptions();
            string? failure;
            try
            {
                gpu.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                return new SessionHandle(open(gpu), "CUDA");
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                failure = ex.Message;
            }
            if (options.ExecutionProvider == ExecutionProviderPreference.Cuda)
                throw new InvalidOperationException($"The CUDA execution provider was required but could not be used: {failure}");
            _logger.LogWarning("CUDA execution provider unavailable, using CPU: {Reason}", failure);
        }
        using var cpu = BaseOptions();
        return new SessionHandle(open(cpu), "CPU");
    }

    private SessionOptions BaseOptions()
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (options.IntraOpThreads > 0) so.IntraOpNumThreads = options.IntraOpThreads;
        if (options.InterOpThreads > 0) so.InterOpNumThreads = options.InterOpThreads;
        return so;
    }
}
