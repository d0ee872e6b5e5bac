namespace MogFace.Engine.Inference;

/// <summary>
/// How many threads ONNX Runtime may use so that the runs admitted at once fit the cores. Each session owns its
/// intra-op pool; with one image per core admitted (the detection limiter's default) and every pool as wide as
/// the machine, N concurrent runs put N × cores spinning threads on the cores. So a serving session gets
/// cores ÷ concurrent runs threads (at least one), and the product stays at the core count.
/// </summary>
public static class InferenceThreads
{
    /// <summary>Images run at once: <paramref name="configured"/>, or one per processor when it is 0 or less.</summary>
    public static int ConcurrentRuns(int configured) => configured > 0 ? configured : Environment.ProcessorCount;

    /// <summary>Intra-op threads of a serving session: <paramref name="configured"/> when set, else the cores shared by the concurrent runs.</summary>
    public static int IntraOpFor(int configured, int concurrentRuns) =>
        configured > 0 ? configured : Math.Max(1, Environment.ProcessorCount / Math.Max(1, concurrentRuns));
}
