using MogFace.Engine.Buffers;
using System.Runtime.Intrinsics;

namespace MogFace.Engine.Imaging;

/// <summary>Which RGB channel feeds one network plane, and its affine normalisation <c>(value − Mean) / Divisor</c>.</summary>
internal readonly record struct PlaneChannel(int Source, double Mean, double Divisor);

/// <summary>
/// The NCHW input both dynamic-size families build: 8-bit RGB → (optional) OpenCV INTER_LINEAR resize by an
/// exact factor on float pixels → one normalised plane per <see cref="PlaneChannel"/>, the image at the top left
/// of planes that may be larger (the rest is 0). Boxes then map back by the factor alone, with no offset.
/// The size comes from the full-size image (<see cref="RgbPixels.SourceWidth"/>); pixels decoded at a reduced
/// DCT scale are resized to it from their own size. Normalisation is computed in double and stored as float32,
/// as the reference does: 8-bit pixels through a 256-entry table per channel, resized ones four at a time.
/// </summary>
internal static class NchwInput
{
    /// <summary>Size of the resized image for a factor (the image's own size at factor 1), as OpenCV rounds it.</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, double factor) =>
        factor == 1.0 ? (width, height) : OpenCvResize.OutputSize(width, height, factor);

    public static void Fill(RgbPixels image, double factor, Span<float> nchw, int planeWidth, int planeHeight, ReadOnlySpan<PlaneChannel> planes)
    {
        var (width, height) = ResizedSize(image.SourceWidth, image.SourceHeight, factor);
        if (width > planeWidth || height > planeHeight)
            throw new ArgumentException($"A {width}×{height} input does not fit a {planeWidth}×{planeHeight} plane.");
        if (nchw.Length != planes.Length * planeWidth * planeHeight)
            throw new ArgumentException("Input buffer has the wrong size.", nameof(nchw));
        if (width != planeWidth || height != planeHeight)
            nchw.Clear();
        if (image.Width == width && image.Height == height)
        {
            NormaliseBytes(image.Data.Span, width, height, nchw, planeWidth, planeHeight, planes);
            return;
        }
        var length = width * height * 3;
        var resized = DetectionBuffers<float>.Rent(length);
        try
        {
            if (image.IsFullSize)
                OpenCvResize.Linear<byte>(image.Data.Span, image.Width, image.Height, 3, factor, resized.AsSpan(0, length));
            else
                OpenCvResize.Linear<byte>(image.Data.Span, image.Width, image.Height, 3, width, height, resized.AsSpan(0, length));
            NormaliseFloats(resized.AsSpan(0, length), width, height, nchw, planeWidth, planeHeight, planes);
        }
        finally
        {
            DetectionBuffers<float>.Return(resized);
        }
    }

    /// <summary>8-bit pixels: each plane's 256 possible values computed once, then one lookup per pixel.</summary>
    private static void NormaliseBytes(ReadOnlySpan<byte> rgb, int width, int height, Span<float> nchw, int planeWidth, int planeHeight,
        ReadOnlySpan<PlaneChannel> planes)
    {
        var plane = planeWidth * planeHeight;
        Span<float> table = stackalloc float[256];
        for (var p = 0; p < planes.Length; p++)
        {
            var (c, mean, divisor) = planes[p];
            for (var v = 0; v < 256; v++)
                table[v] = (float)((v - mean) / divisor);
            var target = nchw.Slice(p * plane, plane);
            for (var y = 0; y < height; y++)
            {
                var row = rgb.Slice(y * width * 3 + c, width * 3 - c);
                var to = target.Slice(y * planeWidth, width);
                for (var x = 0; x < to.Length; x++)
                    to[x] = table[row[3 * x]];
            }
        }
    }

    /// <summary>
    /// Resized (float) pixels: <c>(float)((v − mean) / divisor)</c> in double, four interleaved values per vector
    /// (the channel pattern repeats every 12 values), then spread into the planes.
    /// </summary>
    private static void NormaliseFloats(ReadOnlySpan<float> rgb, int width, int height, Span<float> nchw, int planeWidth, int planeHeight,
        ReadOnlySpan<PlaneChannel> planes)
    {
        Span<double> mean = stackalloc double[3];
        Span<double> divisor = stackalloc double[3];
        Span<int> target = stackalloc int[3]; // plane of each source channel, -1 when none
        target.Fill(-1);
        for (var p = 0; p < planes.Length; p++)
        {
            mean[planes[p].Source] = planes[p].Mean;
            divisor[planes[p].Source] = planes[p].Divisor;
            target[planes[p].Source] = p;
        }
        Span<Vector256<double>> m = stackalloc Vector256<double>[3];
        Span<Vector256<double>> d = stackalloc Vector256<double>[3];
        for (var k = 0; k < 3; k++) // vector k covers interleaved values 4k … 4k + 3 of a 12-value cycle
        {
            m[k] = Vector256.Create(mean[(4 * k) % 3], mean[(4 * k + 1) % 3], mean[(4 * k + 2) % 3], mean[(4 * k + 3) % 3]);
            d[k] = Vector256.Create(divisor[(4 * k) % 3], divisor[(4 * k + 1) % 3], divisor[(4 * k + 2) % 3], divisor[(4 * k + 3) % 3]);
        }
        var plane = planeWidth * planeHeight;
        var rowLength = width * 3;
        var normalised = DetectionBuffers<float>.Rent(rowLength);
        try
        {
            var row = normalised.AsSpan(0, rowLength);
            for (var y = 0; y < height; y++)
            {
                var source = rgb.Slice(y * rowLength, rowLength);
                var i = 0;
                for (; i + 12 <= rowLength; i += 12)
                {
                    for (var k = 0; k < 3; k++)
                    {
                        var v = Vector128.Create(source.Slice(i + 4 * k, 4));
                        var wide = Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
                        var result = (wide - m[k]) / d[k];
                        Vector128.Narrow(result.GetLower(), result.GetUpper()).CopyTo(row.Slice(i + 4 * k, 4));
                    }
                }
                for (; i < rowLength; i++)
                    row[i] = (float)((source[i] - mean[i % 3]) / divisor[i % 3]);
                for (var c = 0; c < 3; c++)
                {
                    if (target[c] < 0)
                        continue;
                    var to = nchw.Slice(target[c] * plane + y * planeWidth, width);
                    for (var x = 0; x < to.Length; x++)
                        to[x] = row[3 * x + c];
                }
            }
        }
        finally
        {
            DetectionBuffers<float>.Return(normalised);
        }
    }
}
