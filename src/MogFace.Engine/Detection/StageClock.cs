using System.Diagnostics;

namespace MogFace.Engine.Detection;

/// <summary>Accumulates stage durations for one detect call (families add to it; not thread-safe by design).</summary>
public sealed class StageClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    /// <summary>Wall-clock start, for trace spans (the durations come from the monotonic clock).</summary>
    public DateTimeOffset StartedAt { get; } = TimeProvider.System.GetUtcNow();
    public double Decode { get; set; }
    public double Preprocess { get; set; }
    public double Inference { get; set; }
    public double Postprocess { get; set; }

    /// <summary>Network runs so far (TTA runs several): how far a cancelled detect got.</summary>
    public int NetworkRuns { get; set; }

    /// <summary>Runs <paramref name="action"/> and returns its elapsed milliseconds.</summary>
    public static double Measure(Action action)
    {
        var t = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }

    public static long Now() => Stopwatch.GetTimestamp();
    public static double Since(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;

    public StageTimings Finish() =>
        new(Round(Decode), Round(Preprocess), Round(Inference), Round(Postprocess), Round(Since(_start)));

    private static double Round(double ms) => Math.Round(ms, 3);
}
