namespace MogFace.Engine.Inference;

public enum ExecutionProviderPreference
{
    /// <summary>CUDA when it loads, else CPU with the reason logged.</summary>
    Auto,
    /// <summary>CUDA or fail: for GPU hosts where a silent CPU fallback would hide a broken image.</summary>
    Cuda,
    Cpu,
}

/// <summary>How ONNX Runtime sessions are created (config section <c>MogFace</c>).</summary>
public sealed class InferenceOptions
{
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>
    /// Threads inside one operator of a serving session; 0 lets ONNX Runtime choose (one per physical core).
    /// Hosts that run several images at once resolve 0 with <see cref="InferenceThreads.IntraOpFor"/> instead.
    /// </summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Threads across independent operators; 0 (default) runs operators one after another (ONNX Runtime's
    /// sequential mode, where this count is unused); &gt; 0 runs independent branches in parallel on that many threads.
    /// </summary>
    public int InterOpThreads { get; set; }

    public int CudaDeviceId { get; set; }
}
