namespace MogFace.Engine.Imaging;

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
    /// pixel centres; padding gets the value of a black pixel. <paramref name="source"/> may hold the image at a
    /// reduced scale (a JPEG decoded at 1/2 … 1/8): positions are mapped into its pixels by the ratio of sizes.
    /// </summary>
    public void FillNhwc(RgbPixels source, Span<float> target, float multiply, float add)
    {
        if (target.Length != TargetWidth * TargetHeight * 3)
            throw new ArgumentException("Target buffer has the wrong size.", nameof(target));
        var stride = source.Width * 3;
        var (x0, x1, wx, xFirst, xEnd) = SampleAxis(TargetWidth, PadX, Scale, SourceWidth, source.Width, elementSize: 3);
        var (y0, y1, wy, yFirst, yEnd) = SampleAxis(TargetHeight, PadY, Scale, SourceHeight, source.Height, elementSize: stride);
        var pixels = source.Data.Span;
        var rowLength = TargetWidth * 3;
        // Padding rows and the padding columns of every row, in bulk.
        target[..(yFirst * rowLength)].Fill(add);
        target[(yEnd * rowLength)..].Fill(add);
        for (var v = yFirst; v < yEnd; v++)
        {
            var row = target.Slice(v * rowLength, rowLength);
            row[..(xFirst * 3)].Fill(add);
            row[(xEnd * 3)..].Fill(add);
            var top = pixels.Slice(y0[v], stride);
            var bottom = pixels.Slice(y1[v], stride);
            var fy = wy[v];
            for (var u = xFirst; u < xEnd; u++)
            {
                int a = x0[u], b = x1[u], o = u * 3;
                var fx = wx[u];
                for (var c = 0; c < 3; c++)
                {
                    float t = top[a + c], d = bottom[a + c];
                    t += (top[b + c] - t) * fx;
                    d += (bottom[b + c] - d) * fx;
                    row[o + c] = (t + (d - t) * fy) * multiply + add;
                }
            }
        }
    }

    /// <summary>
    /// Per target index: the offsets (index × <paramref name="elementSize"/>) of the two source neighbours and the weight of the second,
    /// plus the range [first, end) of target indices whose pixel centre lies on the image. Positions are in the
    /// full-size image (<paramref name="sourceSize"/>) and sampled from pixels <paramref name="pixelSize"/> long.
    /// </summary>
    private static (int[] I0, int[] I1, float[] W, int First, int End) SampleAxis(int targetSize, float pad, float scale, int sourceSize, int pixelSize, int elementSize)
    {
        var ratio = (float)pixelSize / sourceSize; // 1 at full size: the same arithmetic as without it
        var i0 = new int[targetSize];
        var i1 = new int[targetSize];
        var w = new float[targetSize];
        int first = targetSize, end = 0;
        for (var t = 0; t < targetSize; t++)
        {
            var centre = t + 0.5f;
            if (centre >= pad && centre < pad + sourceSize * scale)
            {
                first = Math.Min(first, t);
                end = t + 1;
            }
            var s = Math.Clamp((centre - pad) / scale * ratio - 0.5f, 0f, pixelSize - 1);
            var lo = (int)s;
            i0[t] = lo * elementSize;
            i1[t] = Math.Min(lo + 1, pixelSize - 1) * elementSize;
            w[t] = s - lo;
        }
        return (i0, i1, w, Math.Min(first, end), end);
    }
}
