using MogFace.Engine.Statistics;

namespace MogFace.Engine.Tests.Statistics;

public sealed class NearestRankTests
{
    // Ten samples 1..10: the nearest-rank p50 is the 5th (ceil(0.5·10) = 5), p99 the 10th, p10 the 1st.
    [Theory]
    [InlineData(0.50, 5)]
    [InlineData(0.99, 10)]
    [InlineData(0.10, 1)]
    [InlineData(0.11, 2)]
    [InlineData(1.00, 10)]
    public void Picks_an_observed_sample_by_rank(double q, double expected)
    {
        Assert.Equal(expected, NearestRank.Percentile([7.0, 3, 10, 1, 9, 2, 8, 4, 6, 5], q));
        Assert.Equal(expected, NearestRank.PercentileOfSorted([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10], q));
    }

    [Fact]
    public void No_samples_have_no_percentile() => Assert.True(double.IsNaN(NearestRank.PercentileOfSorted([], 0.5)));

    [Fact]
    public void One_sample_is_every_percentile() => Assert.Equal(42, NearestRank.PercentileOfSorted([42.0], 0.01));
}
