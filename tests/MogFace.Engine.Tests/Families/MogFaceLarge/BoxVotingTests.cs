using MogFace.Engine.Detection;
using MogFace.Engine.Families.MogFaceLarge;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class BoxVotingTests
{
    private static Candidate Box(float x1, float y1, float x2, float y2, float score) => new(x1, y1, x2, y2, score, []);

    [Fact]
    public void MergesOverlapsIntoTheScoreWeightedMeanWithTheBestScore()
    {
        // Rounded first: (10,10,30,30) and (12,10,32,30): IoU (no +1) 360/440 = 0.82 ≥ 0.6.
        var voted = BoxVoting.Vote([Box(10.2f, 9.8f, 30.4f, 30f, 0.9f), Box(12f, 10f, 32f, 30f, 0.3f), Box(100, 100, 120, 120, 0.5f)], 0.6f, 750);
        Assert.Equal(2, voted.Count);
        // x1 = (10·0.9 + 12·0.3)/1.2 = 10.5, x2 = (30·0.9 + 32·0.3)/1.2 = 30.5.
        Assert.Equal((10.5f, 10f, 30.5f, 30f, 0.9f), (voted[0].X1, voted[0].Y1, voted[0].X2, voted[0].Y2, voted[0].Score));
        Assert.Equal((100f, 100f, 120f, 120f, 0.5f), (voted[1].X1, voted[1].Y1, voted[1].X2, voted[1].Y2, voted[1].Score));
    }

    [Fact]
    public void LoneBoxesStayRoundedAndTheResultIsCapped()
    {
        var voted = BoxVoting.Vote([Box(0.4f, 0.6f, 10.5f, 11.5f, 0.7f), Box(50, 50, 60, 60, 0.8f), Box(90, 90, 99, 99, 0.6f)], 0.6f, 2);
        Assert.Equal(2, voted.Count);
        Assert.Equal(0.8f, voted[0].Score);
        Assert.Equal((0f, 1f, 10f, 12f), (voted[1].X1, voted[1].Y1, voted[1].X2, voted[1].Y2)); // half to even
    }
}
