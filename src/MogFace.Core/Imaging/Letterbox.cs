namespace MogFace.Core.Imaging;

/// <summary>
/// Fits a source image into a target rectangle keeping its aspect ratio, centred, padded on two sides.
/// The mapping is kept as exact floats (no rounded content size) so a point maps back to the source
/// with no drift: <c>source = (target - pad) / scale</c>.
/// </summary>
public readonly record struct Letterbox(int SourceWidth, int SourceHeight, int TargetWidth, int TargetHeight)
{
    public float Scale => MathF.Min((float)TargetWidth / SourceWidth, (float)TargetHeight / SourceHeight);
    public float PadX => (TargetWidth - SourceWidth * Scale) / 2f;
    public float PadY => (TargetHeight - SourceHeight * Scale) / 2f;

    public (float X, float Y) ToSource(float x, float y) => ((x - PadX) / Scale, (y - PadY) / Scale);
    public (float X, float Y) ToTarget(float x, float y) => (x * Scale + PadX, y * Scale + PadY);

    /// <summary>
    /// Writes the letterboxed image as NHWC floats, <c>value = pixel * multiply + add</c>, bilinear sampling at
    /// pixel centres; padding gets the value of a black pixel.
    /// </summary>
    public void FillNhwc(RgbPixels source, Span<float> target, float multiply, float add)
    {
        if (target.Length != TargetWidth * TargetHeight * 3)
            throw new ArgumentException("Target buffer has the wrong size.", nameof(target));
        var (x0, x1, wx, xInside) = SampleAxis(TargetWidth, PadX, Scale, SourceWidth);
        var (y0, y1, wy, yInside) = SampleAxis(TargetHeight, PadY, Scale, SourceHeight);
        var pixels = source.Data.Span;
        var stride = source.Width * 3;
        for (var v = 0; v < TargetHeight; v++)
        {
            var row = target.Slice(v * TargetWidth * 3, TargetWidth * 3);
            if (!yInside[v])
            {
                row.Fill(add);
                continue;
            }
            var top = pixels.Slice(y0[v] * stride, stride);
            var bottom = pixels.Slice(y1[v] * stride, stride);
            var fy = wy[v];
            for (var u = 0; u < TargetWidth; u++)
            {
                var o = u * 3;
                if (!xInside[u])
                {
                    row[o] = row[o + 1] = row[o + 2] = add;
                    continue;
                }
                int a = x0[u] * 3, b = x1[u] * 3;
                var fx = wx[u];
                for (var c = 0; c < 3; c++)
                {
                    var t = top[a + c] + (top[b + c] - top[a + c]) * fx;
                    var d = bottom[a + c] + (bottom[b + c] - bottom[a + c]) * fx;
                    row[o + c] = (t + (d - t) * fy) * multiply + add;
                }
            }
        }
    }

    /// <summary>Per target index: the two source neighbours, the weight of the second, and whether it lies on the image.</summary>
    private static (int[] I0, int[] I1, float[] W, bool[] Inside) SampleAxis(int targetSize, float pad, float scale, int sourceSize)
    {
        var i0 = new int[targetSize];
        var i1 = new int[targetSize];
        var w = new float[targetSize];
        var inside = new bool[targetSize];
        for (var t = 0; t < targetSize; t++)
        {
            var centre = t + 0.5f;
            inside[t] = centre >= pad && centre < pad + sourceSize * scale;
            var s = Math.Clamp((centre - pad) / scale - 0.5f, 0f, sourceSize - 1);
            var lo = (int)s;
            i0[t] = lo;
            i1[t] = Math.Min(lo + 1, sourceSize - 1);
            w[t] = s - lo;
        }
        return (i0, i1, w, inside);
    }
}
