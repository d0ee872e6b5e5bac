using MogFace.Engine.Detection;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// Turns <c>conf</c>/<c>loc</c> into candidate boxes: score selection (threshold and pre-NMS top-k in the
/// configured order), the reference decode with the "+1 pixel" convention, and the mapping back to the image.
/// </summary>
internal static class MogFaceDecoder
{
    /// <summary>
    /// The reference decode (no variances), in input pixels:
    /// <c>cx = acx + dx·a, cy = acy + dy·a, w = a·e^dw, h = a·e^dh, x1 = cx − (w − 1)/2, x2 = x1 + w − 1</c> (same for y).
    /// </summary>
    public static (float X1, float Y1, float X2, float Y2) Decode(MogFaceAnchors anchors, int index, ReadOnlySpan<float> loc)
    {
        var d = loc.Slice(4 * index, 4);
        float a = anchors.Size[index];
        var cx = anchors.CentreX[index] + d[0] * a;
        var cy = anchors.CentreY[index] + d[1] * a;
        var w = a * MathF.Exp(d[2]);
        var h = a * MathF.Exp(d[3]);
        var x1 = cx - (w - 1f) / 2f;
        var y1 = cy - (h - 1f) / 2f;
        return (x1, y1, x1 + w - 1f, y1 + h - 1f);
    }

    /// <summary>
    /// Candidates of one pass in image pixels (input pixels divided by <paramref name="factor"/>); the score
    /// is the network's, untouched (ModelScope divides it by the factor too: a bug not reproduced here).
    /// Candidates with a non-finite box are dropped.
    /// </summary>
    public static List<Candidate> Select(ReadOnlySpan<float> conf, ReadOnlySpan<float> loc, MogFaceAnchors anchors,
        MogFacePostprocessing settings, double factor)
    {
        if (conf.Length != anchors.Count || loc.Length != 4 * anchors.Count)
            throw new InvalidOperationException($"The network returned {conf.Length} scores and {loc.Length / 4} boxes for {anchors.Count} anchors.");
        var indices = settings.TopKBeforeThreshold
            ? Above(conf, TopK(conf, settings.PreNmsTopK), settings.Threshold)
            : TopK(conf, Above(conf, null, settings.Threshold), settings.PreNmsTopK);

        var candidates = new List<Candidate>(indices.Count);
        var s = (float)factor;
        foreach (var i in indices)
        {
            var (x1, y1, x2, y2) = Decode(anchors, i, loc);
            if (factor != 1.0)
            {
                if (settings.PlusOneMapping)
                {
                    float w = x2 - x1 + 1f, h = y2 - y1 + 1f;
                    x1 /= s;
                    y1 /= s;
                    x2 = x1 + w / s - 1f;
                    y2 = y1 + h / s - 1f;
                }
                else
                {
                    x1 /= s; y1 /= s; x2 /= s; y2 /= s;
                }
            }
            if (float.IsFinite(x1) && float.IsFinite(y1) && float.IsFinite(x2) && float.IsFinite(y2))
                candidates.Add(new Candidate(x1, y1, x2, y2, conf[i], []));
        }
        return candidates;
    }

    /// <summary>Indices (of <paramref name="among"/>, or of all anchors) whose score is strictly above the threshold.</summary>
    private static List<int> Above(ReadOnlySpan<float> conf, List<int>? among, float threshold)
    {
        var result = new List<int>();
        if (among is null)
        {
            for (var i = 0; i < conf.Length; i++)
                if (conf[i] > threshold)
                    result.Add(i);
        }
        else
        {
            foreach (var i in among)
                if (conf[i] > threshold)
                    result.Add(i);
        }
        return result;
    }

    /// <summary>The (at most) <paramref name="k"/> best-scoring indices of all anchors; NaN scores never count.</summary>
    private static List<int> TopK(ReadOnlySpan<float> conf, int k)
    {
        var all = new List<int>(conf.Length);
        for (var i = 0; i < conf.Length; i++)
            if (!float.IsNaN(conf[i]))
                all.Add(i);
        return TopK(conf, all, k);
    }

    private static List<int> TopK(ReadOnlySpan<float> conf, List<int> among, int k)
    {
        if (among.Count <= k)
            return among;
        if (k <= 0)
            return [];
        // Min-heap of the k best so far: O(n log k) instead of sorting every anchor.
        var heap = new PriorityQueue<int, float>(k);
        foreach (var i in among)
        {
            if (heap.Count < k)
                heap.Enqueue(i, conf[i]);
            else if (heap.TryPeek(out _, out var worst) && conf[i] > worst)
                heap.DequeueEnqueue(i, conf[i]);
        }
        var result = new List<int>(k);
        while (heap.TryDequeue(out var i, out _))
            result.Add(i);
        result.Reverse();
        return result;
    }
}
