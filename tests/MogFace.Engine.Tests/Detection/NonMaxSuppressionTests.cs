using MogFace.Engine.Detection;

namespace MogFace.Engine.Tests.Detection;

public class NonMaxSuppressionTests
{
    private static Candidate Box(float x1, float y1, float x2, float y2, float score, params float[] points) =>
        new(x1, y1, x2, y2, score, points);

    [Fact]
    public void IoU_of_identical_boxes_is_one_and_of_disjoint_boxes_zero()
    {
        Assert.Equal(1f, NonMaxSuppression.IoU(Box(0, 0, 10, 10, 1), Box(0, 0, 10, 10, 1)));
        Assert.Equal(0f, NonMaxSuppression.IoU(Box(0, 0, 10, 10, 1), Box(20, 20, 30, 30, 1)));
    }

    [Fact]
    public void IoU_plus_one_counts_pixels_inclusively()
    {
        // [0,9]×[0,9] and [5,14]×[0,9]: continuous 4×9 / (81+81-36) vs inclusive 5×10 / (100+100-50).
        var a = Box(0, 0, 9, 9, 1);
        var b = Box(5, 0, 14, 9, 1);
        Assert.Equal(36f / 126f, NonMaxSuppression.IoU(a, b), 5);
        Assert.Equal(50f / 150f, NonMaxSuppression.IoU(a, b, BoxConvention.PlusOne), 5);
    }

    [Fact]
    public void Hard_keeps_the_best_of_overlapping_boxes_and_all_separate_ones()
    {
        var kept = NonMaxSuppression.Hard([Box(0, 0, 10, 10, 0.6f), Box(1, 1, 11, 11, 0.9f), Box(50, 50, 60, 60, 0.7f)], 0.3f, 10);
        Assert.Equal([0.9f, 0.7f], kept.Select(k => k.Score));
    }

    [Fact]
    public void Hard_suppresses_at_exactly_the_threshold_only_when_asked()
    {
        // IoU exactly 1/3 with +1 areas (see above).
        Candidate[] boxes = [Box(0, 0, 9, 9, 0.9f), Box(5, 0, 14, 9, 0.8f)];
        var threshold = 50f / 150f;
        Assert.Equal(2, NonMaxSuppression.Hard(boxes, threshold, 10, BoxConvention.PlusOne).Count);
        Assert.Single(NonMaxSuppression.Hard(boxes, threshold, 10, BoxConvention.PlusOne, suppressAtThreshold: true));
    }

    [Fact]
    public void Hard_stops_at_max_kept()
    {
        var boxes = Enumerable.Range(0, 10).Select(i => Box(i * 20, 0, i * 20 + 10, 10, 1f - i * 0.01f)).ToList();
        Assert.Equal(3, NonMaxSuppression.Hard(boxes, 0.3f, 3).Count);
    }

    [Fact]
    public void Weighted_blends_a_cluster_by_score_and_keeps_the_top_score()
    {
        var kept = NonMaxSuppression.Weighted(
            [Box(0, 0, 10, 10, 0.75f, 5, 5), Box(2, 0, 12, 10, 0.25f, 7, 5), Box(100, 100, 110, 110, 0.5f, 105, 105)], 0.3f, 10);
        Assert.Equal(2, kept.Count);
        var blended = kept[0];
        Assert.Equal(0.75f, blended.Score);
        Assert.Equal(0.5f, blended.X1, 5);   // 0×0.75 + 2×0.25
        Assert.Equal(10.5f, blended.X2, 5);
        Assert.Equal(5.5f, blended.Points[0], 5);
        Assert.Equal(105f, kept[1].Points[1]);
    }

    [Fact]
    public void Weighted_terminates_on_degenerate_boxes()
    {
        var kept = NonMaxSuppression.Weighted([Box(5, 5, 5, 5, 0.9f), Box(5, 5, 5, 5, 0.8f)], 0.3f, 10);
        Assert.Equal(2, kept.Count);
    }
}
