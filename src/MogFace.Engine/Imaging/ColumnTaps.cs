namespace MogFace.Engine.Imaging;

/// <summary>
/// The horizontal taps of OpenCV's INTER_LINEAR for one output width: per output pixel the element offsets of its
/// two source pixels in a row and their weights <c>1 − a</c> and <c>a</c>, in the caller's (pooled) buffers.
/// </summary>
internal readonly ref struct ColumnTaps(Span<int> first, Span<int> second, Span<float> firstWeight, Span<float> secondWeight)
{
    /// <summary>Element offset of the left pixel (channel 0) of each output pixel.</summary>
    public readonly Span<int> First = first;

    /// <summary>Element offset of the right pixel (channel 0).</summary>
    public readonly Span<int> Second = second;

    /// <summary><c>1 − a</c> in float32, as OpenCV computes it.</summary>
    public readonly Span<float> FirstWeight = firstWeight;

    /// <summary><c>a</c>.</summary>
    public readonly Span<float> SecondWeight = secondWeight;

    public int Count => First.Length;

    /// <summary>
    /// <c>t = (float)((dx + 0.5)·s − 0.5)</c>, <c>sx = floor(t)</c>, <c>a = t − sx</c>; left of the image (sx &lt; 0)
    /// pixel 0 with a = 0, from the last pixel on (sx ≥ W − 1) pixel W − 1 with a = 0.
    /// </summary>
    public void Fill(int width, int channels, double scale)
    {
        for (var dx = 0; dx < Count; dx++)
        {
            var t = (float)((dx + 0.5) * scale - 0.5);
            var sx = (int)MathF.Floor(t);
            var a = t - sx;
            if (sx < 0)
                (sx, a) = (0, 0f);
            if (sx >= width - 1)
                (sx, a) = (width - 1, 0f);
            First[dx] = sx * channels;
            Second[dx] = Math.Min(sx + 1, width - 1) * channels;
            FirstWeight[dx] = 1f - a;
            SecondWeight[dx] = a;
        }
    }
}
