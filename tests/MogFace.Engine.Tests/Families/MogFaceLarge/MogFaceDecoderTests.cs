using MogFace.Engine.Families.MogFaceLarge;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class MogFaceDecoderTests
{
    /// <summary>
    /// A 640×640 input, one anchor per level with deltas (0.25, −0.5, ln 2, 0), by hand:
    /// a = 16·2^k·0.68, cx = (j + .5)·stride + .25a, cy = (i + .5)·stride − .5a, w = 2a, h = a,
    /// x1 = cx − (w − 1)/2, y1 = cy − (h − 1)/2, x2 = x1 + w − 1, y2 = y1 + h − 1.
    /// Level 0, (1, 2): cx = 10 + 2.72 = 12.72, cy = 6 − 5.44 = 0.56 → x1 = 12.72 − 10.38 = 2.34, y1 = 0.56 − 4.94 = −4.38,
    /// x2 = 2.34 + 20.76 = 23.10, y2 = −4.38 + 9.88 = 5.50. Index = level offset + i·columns + j.
    /// </summary>
    [Theory]
    [InlineData(0, 162, 2.34f, -4.38f, 23.10f, 5.50f)]
    [InlineData(1, 25682, 4.18f, -9.26f, 46.70f, 11.50f)]
    [InlineData(2, 32042, 7.86f, -19.02f, 93.90f, 23.50f)]
    [InlineData(3, 33622, 15.22f, -38.54f, 188.30f, 47.50f)]
    [InlineData(4, 34012, 29.94f, -77.58f, 377.10f, 95.50f)]
    [InlineData(5, 34123, 187.38f, 228.34f, 882.70f, 575.50f)] // level 5 at (4, 3)
    public void DecodesOneAnchorPerLevelWithThePlusOneConvention(int level, int index, float x1, float y1, float x2, float y2)
    {
        _ = level;
        var anchors = MogFaceAnchors.For(640, 640);
        var loc = new float[4 * anchors.Count];
        loc[4 * index] = 0.25f;
        loc[4 * index + 1] = -0.5f;
        loc[4 * index + 2] = MathF.Log(2);
        var box = MogFaceDecoder.Decode(anchors, index, loc);
        Assert.Equal(x1, box.X1, 3);
        Assert.Equal(y1, box.Y1, 3);
        Assert.Equal(x2, box.X2, 3);
        Assert.Equal(y2, box.Y2, 3);
    }

    [Fact]
    public void ZeroDeltasGiveTheAnchorWithInclusiveWidth()
    {
        var anchors = MogFaceAnchors.For(64, 64);
        var box = MogFaceDecoder.Decode(anchors, 0, new float[4 * anchors.Count]);
        // Centre (2, 2), size 10.88: x1 = 2 − 9.88/2 = −2.94, x2 = x1 + 9.88 = 6.94; x2 − x1 + 1 = 10.88.
        Assert.Equal(-2.94f, box.X1, 4);
        Assert.Equal(6.94f, box.X2, 4);
        Assert.Equal(10.88f, box.X2 - box.X1 + 1, 4);
    }

    [Fact]
    public void ServingKeepsScoresStrictlyAboveThresholdThenTopK()
    {
        var anchors = MogFaceAnchors.For(8, 8); // levels 2², 1, 1, 1, 1, 1 → 9 anchors
        Assert.Equal(9, anchors.Count);
        float[] conf = [0.82f, 0.9f, 0.95f, 0.83f, 0.1f, float.NaN, 0.99f, 0.5f, 0.85f];
        var loc = new float[4 * anchors.Count];
        var settings = MogFacePostprocessing.Serving(0.82f, 0.4f, topK: 3, maxKept: 750);
        var picked = MogFaceDecoder.Select(conf, loc, anchors, settings, 1.0).Select(c => c.Score).ToList();
        Assert.Equal([0.99f, 0.95f, 0.9f], picked); // 0.82 itself is not above 0.82; NaN never passes
    }

    [Fact]
    public void OfficialTakesTopKBeforeTheThreshold()
    {
        var anchors = MogFaceAnchors.For(8, 8);
        float[] conf = [0.3f, 0.005f, 0.02f, 0.9f, 0.011f, 0.01f, 0.2f, 0.6f, 0.7f];
        var settings = MogFacePostprocessing.Official(0.01f, topK: 5, maxKept: 750);
        var picked = MogFaceDecoder.Select(conf, new float[4 * anchors.Count], anchors, settings, 1.0).Select(c => c.Score).ToList();
        Assert.Equal([0.9f, 0.7f, 0.6f, 0.3f, 0.2f], picked);
    }

    [Fact]
    public void DownscaledInputDividesBoxesButNotScores()
    {
        // The ModelScope pipeline also divides the score by the factor (a bug): here it stays the network's.
        var anchors = MogFaceAnchors.For(8, 8);
        var conf = new float[anchors.Count];
        conf[0] = 0.9f;
        var loc = new float[4 * anchors.Count];
        var native = MogFaceDecoder.Select(conf, loc, anchors, MogFacePostprocessing.Serving(0.5f, 0.4f, 5000, 750), 1.0).Single();
        var halved = MogFaceDecoder.Select(conf, loc, anchors, MogFacePostprocessing.Serving(0.5f, 0.4f, 5000, 750), 0.5).Single();
        Assert.Equal(0.9f, halved.Score);
        Assert.Equal(native.X1 * 2, halved.X1, 5);
        Assert.Equal(native.Y1 * 2, halved.Y1, 5);
        Assert.Equal(native.X2 * 2, halved.X2, 5);
        Assert.Equal(native.Y2 * 2, halved.Y2, 5);
    }

    [Fact]
    public void OfficialMappingKeepsInclusiveWidths()
    {
        // test_multi.py: x1/s, y1/s, x2 = x1/s + w/s − 1 with w = x2 − x1 + 1.
        var anchors = MogFaceAnchors.For(8, 8);
        var conf = new float[anchors.Count];
        conf[0] = 0.9f;
        var settings = MogFacePostprocessing.Official(0.01f, 5000, 750);
        var box = MogFaceDecoder.Select(conf, new float[4 * anchors.Count], anchors, settings, 0.5).Single();
        // Anchor 0 at 1×: (−2.94, −2.94, 6.94, 6.94), w = 10.88 → x1 = −5.88, x2 = −5.88 + 21.76 − 1 = 14.88.
        Assert.Equal(-5.88f, box.X1, 4);
        Assert.Equal(14.88f, box.X2, 4);
    }

    [Fact]
    public void NonFiniteBoxesAreDropped()
    {
        var anchors = MogFaceAnchors.For(8, 8);
        var conf = Enumerable.Repeat(0.9f, anchors.Count).ToArray();
        var loc = new float[4 * anchors.Count];
        loc[2] = float.PositiveInfinity;
        var kept = MogFaceDecoder.Select(conf, loc, anchors, MogFacePostprocessing.Serving(0.5f, 0.4f, 5000, 750), 1.0);
        Assert.Equal(anchors.Count - 1, kept.Count);
    }
}
