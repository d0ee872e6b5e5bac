
namespace MogFace.Engine.Imaging;

/// <summary>Which RGB channel feeds one network plane, and its affine normalisation <c>(value − Mean) / Divisor</c>.</summary>
internal readonly record struct PlaneChannel(int Source, double Mean, double Divisor);

/// <summary>
/// The NCHW input both dynamic-size families build: 8-bit RGB → (optional) OpenCV INTER_LINEAR resize by an
/// exact factor on float pixels → one normalised plane per <see cref="PlaneChannel"/>, the image at the top left
/// of planes that may be larger (the rest is 0). Boxes then map back by the factor alone, with no offset.
/// </summary>
internal static class NchwInput
{
    /// <summary>Size of the resized image for a factor (the image's own size at factor 1), as OpenCV rounds it.</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, double factor) =>
        factor == 1.0 ? (width, height) : OpenCvResize.OutputSize(width, height, factor);

    public static void Fill(RgbPixels image, double factor, Span<float> nchw, int planeWidth, int planeHeight, ReadOnlySpan<PlaneChannel> planes)
    {
        var (width, height) = ResizedSize(image.Width, image.Height, factor);
        if (width > planeWidth || height > planeHeight)
            throw new ArgumentException($"A {width}×{height} input does not fit a {planeWidth}×{planeHeight} plane.");
        if (nchw.Length != planes.Length * planeWidth * planeHeight)
            throw new ArgumentException("Input buffer has the wrong size.", nameof(nchw));
        if (width != planeWidth || height != planeHeight)
            nchw.Clear();
        if (factor == 1.0)
        {
            Normalise<byte>(image.Data.Span, width, height, nchw, planeWidth, planeHeight, planes);
            return;
        }
        var length = width * height * 3;
        var resized = System.Buffers.ArrayPool<float>.Shared.Rent(length);
        try
        {
            OpenCvResize.Linear<byte>(image.Data.Span, image.Width, image.Height, 3, factor, resized.AsSpan(0, length));
            Normalise<float>(resized.AsSpan(0, length), width, height, nchw, planeWidth, planeHeight, planes);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(resized);
        }
    }

    /// <summary>Interleaved RGB pixels (W×H) → normalised planes (computed in double, stored as float32).</summary>
    private static void Normalise<T>(ReadOnlySpan<T> rgb, int width, int height, Span<float> nchw, int planeWidth, int planeHeight,
        ReadOnlySpan<PlaneChannel> planes)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var plane = planeWidth * planeHeight;
        for (var p = 0; p < planes.Length; p++)
        {
            var (c, mean, divisor) = planes[p];
            var target = nchw.Slice(p * plane, plane);
            for (var y = 0; y < height; y++)
            {
                var row = rgb.Slice(y * width * 3, width * 3);
                var to = target.Slice(y * planeWidth, width);
                for (var x = 0; x < width; x++)
                    to[x] = (float)((double.CreateTruncating(row[3 * x + c]) - mean) / divisor);
            }
        }
    }
}
