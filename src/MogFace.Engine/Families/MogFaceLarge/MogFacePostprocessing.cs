using MogFace.Engine.Detection;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// What happens to the network output of one pass. The two references differ (mogface-inference.md):
/// <see cref="Serving"/> is the ModelScope pipeline, <see cref="Official"/> the damo-cv single-scale test.
/// </summary>
/// <param name="Threshold">Keep scores strictly above this.</param>
/// <param name="PreNmsTopK">Best scores kept for NMS.</param>
/// <param name="TopKBeforeThreshold">Official: top-k over all anchors, then the threshold; ModelScope: the reverse.</param>
/// <param name="NmsThreshold">Greedy NMS IoU (areas with +1).</param>
/// <param name="SuppressAtThreshold">Official: suppress IoU ≥ t; ModelScope: only IoU &gt; t.</param>
/// <param name="MaxKept">Boxes kept after NMS.</param>
/// <param name="KeepTiesAtCut">Official: every box scoring at least the <see cref="MaxKept"/>-th score stays.</param>
/// <param name="PlusOneMapping">
/// Official: back to the image as <c>x1/s, y1/s, x1/s + w/s − 1</c> (w with +1); ModelScope: all four coordinates / s.
/// </param>
internal sealed record MogFacePostprocessing(
    float Threshold, int PreNmsTopK, bool TopKBeforeThreshold, float NmsThreshold, bool SuppressAtThreshold,
    int MaxKept, bool KeepTiesAtCut, bool PlusOneMapping)
{
    public const float ServingThreshold = 0.82f, ServingNms = 0.4f, OfficialNms = 0.3f;
    public const int DefaultPreNmsTopK = 5000, DefaultMaxKept = 750;

    public static MogFacePostprocessing Serving(float threshold, float nms, int topK, int maxKept) =>
        new(threshold, topK, TopKBeforeThreshold: false, nms, SuppressAtThreshold: false, maxKept, KeepTiesAtCut: false, PlusOneMapping: false);

    public static MogFacePostprocessing Official(float threshold, int topK, int maxKept) =>
        new(threshold, topK, TopKBeforeThreshold: true, OfficialNms, SuppressAtThreshold: true, maxKept, KeepTiesAtCut: true, PlusOneMapping: true);

    /// <summary>NMS and the final cut over decoded candidates (already in image pixels).</summary>
    public List<Candidate> Suppress(List<Candidate> candidates)
    {
        if (!KeepTiesAtCut)
            return NonMaxSuppression.Hard(candidates, NmsThreshold, MaxKept, BoxConvention.PlusOne, SuppressAtThreshold);
        var kept = NonMaxSuppression.Hard(candidates, NmsThreshold, int.MaxValue, BoxConvention.PlusOne, SuppressAtThreshold);
        if (kept.Count <= MaxKept)
            return kept;
        var cut = kept[MaxKept - 1].Score; // kept is in descending score order
        var end = MaxKept;
        while (end < kept.Count && kept[end].Score >= cut)
            end++;
        kept.RemoveRange(end, kept.Count - end);
        return kept;
    }
}
