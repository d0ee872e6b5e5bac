using System.Numerics;
using MogFace.Engine.Buffers;

namespace MogFace.Engine.Imaging;

/// <summary>
/// A port of OpenCV's <c>cv2.resize(img, (0, 0), fx=f, fy=f, interpolation=INTER_LINEAR)</c> for float
/// output, which is how the MogFace reference resizes (float32 pixels, before normalisation).
/// The details decide the result, so they follow OpenCV's resize.cpp (generic path, no fixed point):
/// <list type="bullet">
/// <item>output size <c>cvRound(W·f) × cvRound(H·f)</c> (round half to even), sampling with the exact
/// inverse factor <c>s = 1/f</c>, not <c>W / W'</c>;</item>
/// <item>columns: <c>t = (float)((dx + 0.5)·s − 0.5)</c>, <c>sx = floor(t)</c>, <c>a = t − sx</c>; left of the
/// image (sx &lt; 0) pixel 0 with a = 0, from the last pixel on (sx ≥ W − 1) pixel W − 1 with a = 0;</item>
/// <item>rows: the same coordinate, but only the row indices are clamped (the weight is kept);</item>
/// <item>horizontal pass first (<c>p0·(1 − a) + p1·a</c> in float32, <see cref="HorizontalLinear"/>), then the
/// vertical blend, one output row at a time (<see cref="IResizedRows"/>);</item>
/// <item>f = 0.5 exactly (s = 2) takes OpenCV's INTER_AREA fast path: 2×2 box means, partial blocks at
/// odd borders average the pixels that exist.</item>
/// </list>
/// Checked against OpenCV 4.6 by tests/fixtures/mogface/resize_parity.py.
/// </summary>
internal static class OpenCvResize
{
    private const double DoubleEpsilon = 2.220446049250313e-16; // DBL_EPSILON, not double.Epsilon

    /// <summary>The size OpenCV gives <c>resize(img, (0, 0), fx=f, fy=f)</c>.</summary>
    public static (int Width, int Height) OutputSize(int width, int height, double factor) =>
        ((int)Math.Round(width * factor, MidpointRounding.ToEven), (int)Math.Round(height * factor, MidpointRounding.ToEven));

    /// <summary>
    /// Resizes an interleaved H×W×<paramref name="channels"/> image by <paramref name="factor"/> into
    /// <paramref name="destination"/> (interleaved float, size from <see cref="OutputSize"/>).
    /// </summary>
    public static void Linear<T>(ReadOnlySpan<T> source, int width, int height, int channels, double factor, Span<float> destination)
        where T : unmanaged, INumberBase<T>
    {
        var (outWidth, outHeight) = CheckedOutputSize(width, height, factor);
        if (destination.Length != outWidth * outHeight * channels)
            throw new ArgumentException("Destination buffer has the wrong size.", nameof(destination));
        var rows = new DestinationRows(destination, outWidth * channels);
        Linear(source, width, height, channels, factor, ref rows);
    }

    /// <summary>
    /// <see cref="Linear{T}(ReadOnlySpan{T}, int, int, int, double, Span{float})"/> handing each output row to
    /// <paramref name="rows"/> as it is made (no whole resized image in memory).
    /// </summary>
    public static void Linear<T, TRows>(ReadOnlySpan<T> source, int width, int height, int channels, double factor, ref TRows rows)
        where T : unmanaged, INumberBase<T>
        where TRows : IResizedRows, allows ref struct
    {
        var (outWidth, outHeight) = CheckedOutputSize(width, height, factor);
        if (source.Length != width * height * channels)
            throw new ArgumentException("Source buffer has the wrong size.", nameof(source));
        var scale = 1.0 / factor;
        Resample(source, width, height, channels, outWidth, outHeight, scale, scale, ref rows);
    }

    private static (int Width, int Height) CheckedOutputSize(int width, int height, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!(factor > 0) || double.IsInfinity(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The resize factor must be positive and finite.");
        var (outWidth, outHeight) = OutputSize(width, height, factor);
        if (outWidth < 1 || outHeight < 1)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"A {width}×{height} image resized by {factor} is empty.");
        return (outWidth, outHeight);
    }

    /// <summary>
    /// <c>cv2.resize(img, (outWidth, outHeight), interpolation=INTER_LINEAR)</c> for float output: the same
    /// sampling as <see cref="Linear{T}(ReadOnlySpan{T}, int, int, int, double, Span{float})"/> with OpenCV's
    /// per-axis inverse scale <c>1 / (outWidth / width)</c>. Used when a JPEG was decoded at a reduced DCT scale
    /// and its pixels are resized to the size the model chose from the full-size image.
    /// </summary>
    public static void Linear<T>(ReadOnlySpan<T> source, int width, int height, int channels, int outWidth, int outHeight, Span<float> destination)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        if (destination.Length != outWidth * outHeight * channels)
            throw new ArgumentException("Destination buffer has the wrong size.", nameof(destination));
        var rows = new DestinationRows(destination, outWidth * channels);
        Linear(source, width, height, channels, outWidth, outHeight, ref rows);
    }

    /// <summary>
    /// <see cref="Linear{T}(ReadOnlySpan{T}, int, int, int, int, int, Span{float})"/> handing each output row to
    /// <paramref name="rows"/> as it is made.
    /// </summary>
    public static void Linear<T, TRows>(ReadOnlySpan<T> source, int width, int height, int channels, int outWidth, int outHeight, ref TRows rows)
        where T : unmanaged, INumberBase<T>
        where TRows : IResizedRows, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        if (source.Length != width * height * channels)
            throw new ArgumentException("Source buffer has the wrong size.", nameof(source));
        Resample(source, width, height, channels, outWidth, outHeight, 1.0 / ((double)outWidth / width), 1.0 / ((double)outHeight / height), ref rows);
    }

    private static void Resample<T, TRows>(ReadOnlySpan<T> source, int width, int height, int channels, int outWidth, int outHeight,
        double scaleX, double scaleY, ref TRows rows)
        where T : unmanaged, INumberBase<T>
        where TRows : IResizedRows, allows ref struct
    {
        if (Math.Abs(scaleX - 2.0) < DoubleEpsilon && Math.Abs(scaleY - 2.0) < DoubleEpsilon)
        {
            AreaHalf(source, width, height, channels, outWidth, outHeight, ref rows);
            return;
        }

        var rowLength = outWidth * channels;
        var sourceLength = width * channels;
        // Pooled, not allocated: the taps and the two row buffers are ~50 KB per call at YuNet's 1280 px.
        var ints = DetectionBuffers<int>.Rent(2 * outWidth);
        var floats = DetectionBuffers<float>.Rent(2 * outWidth + 2 * rowLength + sourceLength + 1);
        try
        {
            var taps = new ColumnTaps(ints.AsSpan(0, outWidth), ints.AsSpan(outWidth, outWidth),
                floats.AsSpan(0, outWidth), floats.AsSpan(outWidth, outWidth));
            taps.Fill(width, channels, scaleX);
            var rowA = floats.AsSpan(2 * outWidth, rowLength);
            var rowB = floats.AsSpan(2 * outWidth + rowLength, rowLength);
            // One source row as float, plus one element so a pixel's 4-lane load may read past its 3 channels.
            var pixels = floats.AsSpan(2 * outWidth + 2 * rowLength, sourceLength + 1);
            pixels[^1] = 0;
            int indexA = -1, indexB = -1;
            for (var dy = 0; dy < outHeight; dy++)
            {
                var t = (float)((dy + 0.5) * scaleY - 0.5);
                var sy = (int)MathF.Floor(t);
                var b = t - sy;
                var r0 = Math.Clamp(sy, 0, height - 1);
                var r1 = Math.Clamp(sy + 1, 0, height - 1);
                // Keep the two horizontally resized rows the previous output row used (OpenCV's ring buffer).
                if (r0 != indexA)
                {
                    if (r0 == indexB)
                    {
                        var swap = rowA;
                        rowA = rowB;
                        rowB = swap;
                        (indexA, indexB) = (indexB, indexA);
                    }
                    else
                    {
                        HorizontalLinear.Row(source.Slice(r0 * sourceLength, sourceLength), channels, taps, pixels, rowA);
                        indexA = r0;
                    }
                }
                if (r1 != indexB)
                {
                    HorizontalLinear.Row(source.Slice(r1 * sourceLength, sourceLength), channels, taps, pixels, rowB);
                    indexB = r1;
                }
                Blend(rowA, rowB, 1f - b, b, rows.Row(dy));
                rows.Written(dy);
            }
        }
        finally
        {
            DetectionBuffers<float>.Return(floats);
            DetectionBuffers<int>.Return(ints);
        }
    }

    /// <summary>
    /// The vertical pass, <c>a·b0 + b·b1</c> per element in float32: a separate multiply and add per lane (no fused
    /// multiply-add), so the vector lanes give the scalar result bit for bit.
    /// </summary>
    private static void Blend(ReadOnlySpan<float> rowA, ReadOnlySpan<float> rowB, float b0, float b1, Span<float> output)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> w0 = new(b0), w1 = new(b1);
            for (; i + Vector<float>.Count <= output.Length; i += Vector<float>.Count)
                (new Vector<float>(rowA[i..]) * w0 + new Vector<float>(rowB[i..]) * w1).CopyTo(output[i..]);
        }
        for (; i < output.Length; i++)
            output[i] = rowA[i] * b0 + rowB[i] * b1;
    }

    /// <summary>OpenCV's resizeAreaFast for a scale of exactly 2 (what INTER_LINEAR at f = 0.5 runs).</summary>
    private static void AreaHalf<T, TRows>(ReadOnlySpan<T> source, int width, int height, int channels, int outWidth, int outHeight, ref TRows rows)
        where T : unmanaged, INumberBase<T>
        where TRows : IResizedRows, allows ref struct
    {
        var stride = width * channels;
        var fullColumns = width / 2;
        for (var dy = 0; dy < outHeight; dy++)
        {
            var sy0 = dy * 2;
            var fullRow = sy0 + 2 <= height;
            var output = rows.Row(dy);
            for (var dx = 0; dx < outWidth; dx++)
            {
                var sx0 = dx * 2;
                for (var c = 0; c < channels; c++)
                {
                    var at = sy0 * stride + sx0 * channels + c;
                    if (fullRow && dx < fullColumns)
                    {
                        var sum = float.CreateTruncating(source[at]) + float.CreateTruncating(source[at + channels])
                            + float.CreateTruncating(source[at + stride]) + float.CreateTruncating(source[at + stride + channels]);
                        output[dx * channels + c] = sum * 0.25f;
                        continue;
                    }
                    float partial = 0;
                    var count = 0;
                    for (var y = sy0; y < Math.Min(sy0 + 2, height); y++)
                    for (var x = sx0; x < Math.Min(sx0 + 2, width); x++)
                    {
                        partial += float.CreateTruncating(source[y * stride + x * channels + c]);
                        count++;
                    }
                    output[dx * channels + c] = partial / count;
                }
            }
            rows.Written(dy);
        }
    }
}
