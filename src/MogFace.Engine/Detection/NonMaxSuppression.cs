namespace MogFace.Engine.Detection;

/// <summary>How boxes are measured: the MogFace reference counts pixels inclusively (+1).</summary>
public enum BoxConvention
{
    Continuous,
    PlusOne,
}

public static class NonMaxSuppression
{
    public static float IoU(in Candidate a, in Candidate b, BoxConvention convention = BoxConvention.Continuous)
    {
        var one = convention == BoxConvention.PlusOne ? 1f : 0f;
        var iw = MathF.Min(a.X2, b.X2) - MathF.Max(a.X1, b.X1) + one;
        var ih = MathF.Min(a.Y2, b.Y2) - MathF.Max(a.Y1, b.Y1) + one;
        if (iw <= 0 || ih <= 0)
            return 0;
        var inter = iw * ih;
        var areaA = (a.X2 - a.X1 + one) * (a.Y2 - a.Y1 + one);
        var areaB = (b.X2 - b.X1 + one) * (b.Y2 - b.Y1 + one);
        return inter / (areaA + areaB - inter);
    }

    /// <summary>
    /// Greedy suppression in descending score order. <paramref name="suppressAtThreshold"/>: the official
    /// MogFace test suppresses IoU ≥ t, the ModelScope pipeline only IoU &gt; t.
    /// </summary>
    public static List<Candidate> Hard(
        IReadOnlyList<Candidate> candidates, float iouThreshold, int maxKept,
        BoxConvention convention = BoxConvention.Continuous, bool suppressAtThreshold = false)
    {
        var order = SortedByScore(candidates);
        var kept = new List<Candidate>();
        var suppressed = new bool[order.Length];
        for (var i = 0; i < order.Length && kept.Count < maxKept; i++)
        {
            if (suppressed[i])
                continue;
            var best = candidates[order[i]];
            kept.Add(best);
            for (var j = i + 1; j < order.Length; j++)
            {
                if (suppressed[j])
                    continue;
                var iou = IoU(best, candidates[order[j]], convention);
                if (iou > iouThreshold || (suppressAtThreshold && iou >= iouThreshold))
                    suppressed[j] = true;
            }
        }
        return kept;
    }

    /// <summary>
    /// MediaPipe's weighted NMS: each cluster (IoU above the threshold with its best member) is replaced by
    /// the score-weighted mean of its boxes and points, keeping the best score. Steadier boxes than hard NMS.
    /// </summary>
    public static List<Candidate> Weighted(IReadOnlyList<Candidate> candidates, float iouThreshold, int maxKept)
    {
        var remaining = SortedByScore(candidates).Select(i => candidates[i]).ToList();
        var kept = new List<Candidate>();
        var next = new List<Candidate>(remaining.Count);
        while (remaining.Count > 0 && kept.Count < maxKept)
        {
            var best = remaining[0];
            float total = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
            var points = new float[best.Points.Length];
            next.Clear();
            for (var i = 0; i < remaining.Count; i++)
            {
                var c = remaining[i];
                // The leader always joins its own cluster, even as a degenerate (zero-area) box.
                if (i > 0 && IoU(best, c) <= iouThreshold)
                {
                    next.Add(c);
                    continue;
                }
                total += c.Score;
                x1 += c.X1 * c.Score; y1 += c.Y1 * c.Score; x2 += c.X2 * c.Score; y2 += c.Y2 * c.Score;
                for (var k = 0; k < points.Length; k++)
                    points[k] += c.Points[k] * c.Score;
            }
            for (var k = 0; k < points.Length; k++)
                points[k] /= total;
            kept.Add(new Candidate(x1 / total, y1 / total, x2 / total, y2 / total, best.Score, points));
            (remaining, next) = (next, remaining);
        }
        return kept;
    }

    private static int[] SortedByScore(IReadOnlyList<Candidate> candidates)
    {
        var order = Enumerable.Range(0, candidates.Count).ToArray();
        // Stable: equal scores keep decode order, so results are deterministic.
        Array.Sort(order, (a, b) =>
        {
            var c = candidates[b].Score.CompareTo(candidates[a].Score);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }
}
