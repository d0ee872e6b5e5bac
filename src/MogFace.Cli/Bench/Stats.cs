using MogFace.Engine.Statistics;

namespace MogFace.Cli.Bench;

/// <summary>Order statistics of a sample of milliseconds.</summary>
internal sealed record Stats(double Mean, double P50, double P99, int Count)
{
    public static Stats Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
            return new Stats(0, 0, 0, 0);
        var sorted = samples.Order().ToArray();
        return new Stats(sorted.Average(), NearestRank.PercentileOfSorted(sorted, 0.50), NearestRank.PercentileOfSorted(sorted, 0.99), sorted.Length);
    }
}
