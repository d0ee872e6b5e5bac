using MogFace.Engine.Detection;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// The reference's box voting (test_multi.py bbox_vote): boxes sorted by score and rounded to whole pixels;
/// repeatedly the best remaining box and every box overlapping it with IoU ≥ the vote threshold (IoU without
/// +1) are replaced by their score-weighted mean box with the best score (a lone box stays as it is).
/// </summary>
internal static class BoxVoting
{
    public static List<Candidate> Vote(IEnumerable<Candidate> detections, float voteThreshold, int maxKept)
    {
        var remaining = detections
            .Select((c, i) => (c, i))
            .OrderByDescending(t => t.c.Score).ThenBy(t => t.i)
            .Select(t => t.c with
            {
                X1 = MathF.Round(t.c.X1), Y1 = MathF.Round(t.c.Y1),
                X2 = MathF.Round(t.c.X2), Y2 = MathF.Round(t.c.Y2),
            })
            .ToList();
        var result = new List<Candidate>();
        var rest = new List<Candidate>(remaining.Count);
        while (remaining.Count > 0 && result.Count < maxKept)
        {
            var best = remaining[0];
            var bestArea = Area(best);
            double total = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
            var members = 0;
            rest.Clear();
            for (var i = 0; i < remaining.Count; i++)
            {
                var c = remaining[i];
                if (i > 0 && Overlap(best, bestArea, c) < voteThreshold)
                {
                    rest.Add(c);
                    continue;
                }
                members++;
                total += c.Score;
                x1 += c.X1 * c.Score; y1 += c.Y1 * c.Score; x2 += c.X2 * c.Score; y2 += c.Y2 * c.Score;
            }
            result.Add(members <= 1 || total <= 0
                ? best
                : new Candidate((float)(x1 / total), (float)(y1 / total), (float)(x2 / total), (float)(y2 / total), best.Score, []));
            (remaining, rest) = (rest, remaining);
        }
        return result;
    }

    private static float Area(in Candidate c) => MathF.Max(c.X2 - c.X1, 0) * MathF.Max(c.Y2 - c.Y1, 0);

    private static float Overlap(in Candidate best, float bestArea, in Candidate c)
    {
        var w = MathF.Max(0, MathF.Min(best.X2, c.X2) - MathF.Max(best.X1, c.X1));
        var h = MathF.Max(0, MathF.Min(best.Y2, c.Y2) - MathF.Max(best.Y1, c.Y1));
        var inter = w * h;
        var union = bestArea + Area(c) - inter;
        return union <= 0 ? inter : inter / union; // the reference replaces a non-positive union by 1
    }
}
