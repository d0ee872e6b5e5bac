using MogFace.Engine.Families.MogFaceLarge;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class MogFaceAnchorsTests
{
    [Theory]
    [InlineData(640, 640, 34125)]   // 160² + 80² + 40² + 20² + 10² + 5²
    [InlineData(479, 641, 25837)]   // H 479 → 120, 60, 30, 15, 8, 4; W 641 → 161, 81, 41, 21, 11, 6
    [InlineData(641, 479, 25837)]
    [InlineData(750, 1000, 62719)]
    [InlineData(1, 1, 6)]           // every level keeps one cell
    [InlineData(5, 3, 7)]           // H 5 → 3 → 2, W 3 → 2 → 1: 2 cells, then one per level
    public void CountFollowsRepeatedCeilHalving(int height, int width, int expected)
    {
        Assert.Equal(expected, MogFaceAnchors.CountFor(height, width));
        Assert.Equal(expected, MogFaceAnchors.For(height, width).Count);
    }

    [Fact]
    public void LevelSizesForAnOddInput()
    {
        Assert.Equal([(120, 161), (60, 81), (30, 41), (15, 21), (8, 11), (4, 6)], MogFaceAnchors.LevelSizesFor(479, 641));
    }

    [Fact]
    public void SizesAre16TimesPowersOfTwoTimes068()
    {
        Assert.Equal([10.88f, 21.76f, 43.52f, 87.04f, 174.08f, 348.16f], MogFaceAnchors.Sizes);
    }

    [Fact]
    public void OrderIsLevelThenRowThenColumnWithCentresAtHalfCells()
    {
        var a = MogFaceAnchors.For(479, 641);
        // Level 0, row 2, column 3.
        var i = 2 * 161 + 3;
        Assert.Equal((3.5f * 4, 2.5f * 4, 10.88f), (a.CentreX[i], a.CentreY[i], a.Size[i]));
        // First anchor of level 1.
        i = 120 * 161;
        Assert.Equal((4f, 4f, 21.76f), (a.CentreX[i], a.CentreY[i], a.Size[i]));
        // Last anchor: level 5, row 3, column 5 (stride 128).
        i = a.Count - 1;
        Assert.Equal((5.5f * 128, 3.5f * 128, 348.16f), (a.CentreX[i], a.CentreY[i], a.Size[i]));
    }

    [Fact]
    public void ComputedOncePerSizeAndCacheIsBounded()
    {
        Assert.Same(MogFaceAnchors.For(321, 123), MogFaceAnchors.For(321, 123));
        for (var h = 1; h <= MogFaceAnchors.CacheCapacity * 2; h++)
            MogFaceAnchors.For(h, 7);
        Assert.True(MogFaceAnchors.CachedSizes <= MogFaceAnchors.CacheCapacity);
    }
}
