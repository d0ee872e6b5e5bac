namespace MogFace.Cli.Bench;

/// <summary>Order statistics of a sample of milliseconds.</summary>
internal sealed record Stats(double Mean, double P50, double P99, int Count)
{
    public static Stats Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
            return new Stats(0, 0, 0, 0);
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Stats(sorted.Average(), At(0.50), At(0.99), sorted.Length);
    }
}
