using MogFace.Engine.Detection;

namespace MogFace.Engine.Families.YuNet;

/// <summary>
/// Turns one pyramid level's outputs into candidates, as OpenCV's FaceDetectorYN does: one prior per grid cell
/// (row-major over a <c>columns</c>-wide grid), <c>score = sqrt(clip(cls)·clip(obj))</c>,
/// centre <c>(col + dx, row + dy)·stride</c>, size <c>exp(dw|dh)·stride</c>, five landmarks
/// <c>(col + kx, row + ky)·stride</c> (right eye, left eye, nose tip, right and left mouth corner).
/// Everything is divided by the resize factor: the input was padded bottom/right, never shifted.
/// </summary>
internal static class YuNetDecoder
{
    public const int Landmarks = 5;

    public static void Decode(ReadOnlySpan<float> cls, ReadOnlySpan<float> obj, ReadOnlySpan<float> bbox, ReadOnlySpan<float> kps,
        int stride, int columns, float threshold, double factor, List<Candidate> into)
    {
        if (obj.Length != cls.Length || bbox.Length != 4 * cls.Length || kps.Length != 2 * Landmarks * cls.Length || cls.Length % columns != 0)
            throw new InvalidOperationException(
                $"Stride {stride}: {cls.Length} scores, {obj.Length} objectness, {bbox.Length / 4} boxes and {kps.Length / 10} landmark sets do not fit a grid {columns} wide.");
        var scale = stride / (float)factor;
        for (var i = 0; i < cls.Length; i++)
        {
            var score = MathF.Sqrt(Math.Clamp(cls[i], 0f, 1f) * Math.Clamp(obj[i], 0f, 1f));
            // Strictly above, as cv::dnn::NMSBoxes selects; a NaN score fails the test and is dropped.
            if (!(score > threshold))
                continue;
            int row = i / columns, col = i % columns;
            var b = bbox.Slice(4 * i, 4);
            float cx = (col + b[0]) * scale, cy = (row + b[1]) * scale;
            float w = MathF.Exp(b[2]) * scale, h = MathF.Exp(b[3]) * scale;
            float x1 = cx - w / 2f, y1 = cy - h / 2f, x2 = cx + w / 2f, y2 = cy + h / 2f;
            if (!(float.IsFinite(x1) && float.IsFinite(y1) && float.IsFinite(x2) && float.IsFinite(y2)))
                continue;
            var k = kps.Slice(2 * Landmarks * i, 2 * Landmarks);
            var points = new float[2 * Landmarks];
            for (var p = 0; p < Landmarks; p++)
            {
                points[2 * p] = (col + k[2 * p]) * scale;
                points[2 * p + 1] = (row + k[2 * p + 1]) * scale;
            }
            into.Add(new Candidate(x1, y1, x2, y2, score, points));
        }
    }
}
