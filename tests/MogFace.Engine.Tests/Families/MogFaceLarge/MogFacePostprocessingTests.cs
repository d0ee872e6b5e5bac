using MogFace.Engine.Detection;
using MogFace.Engine.Families.MogFaceLarge;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class MogFacePostprocessingTests
{
    private static Candidate Box(float x1, float y1, float x2, float y2, float score) => new(x1, y1, x2, y2, score, []);

    [Fact]
    public void NmsCountsPixelsInclusively()
    {
        // (0,0,9,9) and (5,0,14,9): with +1 each is 10×10, overlap 5×10 → IoU 50/150 = 0.333;
        // continuous areas would give 36/126 = 0.286 and keep both at threshold 0.3.
        List<Candidate> boxes = [Box(0, 0, 9, 9, 0.9f), Box(5, 0, 14, 9, 0.8f)];
        Assert.Equal(1f / 3, NonMaxSuppression.IoU(boxes[0], boxes[1], BoxConvention.PlusOne), 5);
        Assert.Single(MogFacePostprocessing.Official(0.01f, 5000, 750).Suppress(boxes));
    }

    [Fact]
    public void ServingSuppressesOnlyAboveTheThresholdOfficialAtIt()
    {
        // (0,0,3,9) inside (0,0,9,9): 40 / 100 = IoU 0.4 exactly.
        List<Candidate> boxes = [Box(0, 0, 9, 9, 0.9f), Box(0, 0, 3, 9, 0.85f)];
        Assert.Equal(2, MogFacePostprocessing.Serving(0.82f, 0.4f, 5000, 750).Suppress(boxes).Count);
        var official = MogFacePostprocessing.Official(0.01f, 5000, 750) with { NmsThreshold = 0.4f };
        Assert.Single(official.Suppress(boxes));
    }

    [Fact]
    public void OfficialKeepsTiesAtTheCutServingTruncates()
    {
        List<Candidate> boxes = [Box(0, 0, 9, 9, 0.9f), Box(20, 0, 29, 9, 0.5f), Box(40, 0, 49, 9, 0.5f), Box(60, 0, 69, 9, 0.3f)];
        Assert.Equal(3, MogFacePostprocessing.Official(0.01f, 5000, maxKept: 2).Suppress(boxes).Count);
        Assert.Equal(2, MogFacePostprocessing.Serving(0.01f, 0.4f, 5000, maxKept: 2).Suppress(boxes).Count);
    }
}
