using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Families.BlazeFace;

/// <summary>MediaPipe's TensorsToDetections for BlazeFace: box and keypoint offsets relative to fixed-size anchors.</summary>
internal static class BlazeFaceDecoder
{
    private const float LogitClamp = 100f;
    private const int Keypoints = 6;

    /// <summary>Decodes one anchor block into source-image pixels.</summary>
    public static void Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> raw, int anchorOffset, int size, float threshold,
        Letterbox letterbox, List<Candidate> into)
    {
        var centres = BlazeFaceAnchors.Centres;
        for (var i = 0; i < logits.Length; i++)
        {
            var score = Sigmoid(logits[i]);
            if (!(score >= threshold))
                continue;
            var r = raw.Slice(i * BlazeFaceFamily.Values, BlazeFaceFamily.Values);
            // raw / S + anchor is in units of the square; × S gives letterboxed pixels.
            var ax = centres[2 * (anchorOffset + i)] * size;
            var ay = centres[2 * (anchorOffset + i) + 1] * size;
            float cx = r[0] + ax, cy = r[1] + ay, w = r[2], h = r[3];
            var (x1, y1) = letterbox.ToSource(cx - w / 2, cy - h / 2);
            var (x2, y2) = letterbox.ToSource(cx + w / 2, cy + h / 2);
            var points = new float[Keypoints * 2];
            for (var k = 0; k < Keypoints; k++)
                (points[2 * k], points[2 * k + 1]) = letterbox.ToSource(r[4 + 2 * k] + ax, r[5 + 2 * k] + ay);
            // A model's output is untrusted: a NaN or infinite coordinate would poison NMS and cannot be written as JSON.
            if (!AllFinite([x1, y1, x2, y2]) || !AllFinite(points))
                continue;
            into.Add(new Candidate(x1, y1, x2, y2, score, points));
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
                return false;
        }
        return true;
    }

    /// <summary>Sigmoid of the logit clamped to ±100, as MediaPipe does (no overflow to NaN).</summary>
    public static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-Math.Clamp(logit, -LogitClamp, LogitClamp)));
}
