namespace MogFace.Cli.Soak;

/// <summary>What <c>mogface bench soak --json</c> prints; the ratios of issue 12's "done when" are derived from it.</summary>
internal sealed record SoakReport(
    double DurationSeconds,
    int Clients,
    int Swaps,
    long GoodRequests,
    long GoodFailures,
    double NormalP50BaselineMs,
    double NormalP50AbuseMs,
    int NormalRequestsBaseline,
    int NormalRequestsAbuse,
    long RssAfterWarmupKb,
    long RssEndKb,
    long RssPeakKb,
    IReadOnlyDictionary<string, int> AbusiveOutcomes,
    IReadOnlyList<string> Unexpected,
    int UnexpectedCount)
{
    public double P50Ratio => NormalP50BaselineMs > 0 ? NormalP50AbuseMs / NormalP50BaselineMs : double.NaN;

    public double RssEndOverWarmup => RssAfterWarmupKb > 0 ? (double)RssEndKb / RssAfterWarmupKb : double.NaN;
}
