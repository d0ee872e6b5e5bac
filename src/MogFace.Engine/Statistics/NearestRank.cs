namespace MogFace.Engine.Statistics;

/// <summary>
/// The one percentile definition of the service, its benchmarks and its tests: nearest rank (the smallest sample
/// with at least q of the samples at or below it), so a p99 is always a latency that was really observed.
/// </summary>
public static class NearestRank
{
    /// <summary>The q-quantile (0 &lt; q ≤ 1) of samples already sorted ascending; NaN for no samples.</summary>
    public static double PercentileOfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
            return double.NaN;
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>The q-quantile of samples in any order.</summary>
    public static double Percentile(IEnumerable<double> samples, double q) => PercentileOfSorted(samples.Order().ToArray(), q);
}
