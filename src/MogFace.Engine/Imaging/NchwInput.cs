using MogFace.Engine.Buffers;

namespace MogFace.Engine.Imaging;

/// <summary>Which RGB channel feeds one network plane, and its affine normalisation <c>(value − Mean) / Divisor</c>.</summary>
internal readonly record struct PlaneChannel(int Source, double Mean, double Divisor);

/// <summary>
/// The NCHW input both dynamic-size families build: 8-bit RGB → (optional) OpenCV INTER_LINEAR resize by an
/// exact factor on float pixels → one normalised plane per <see cref="PlaneChannel"/>, the image at the top left
/// of planes that may be larger (the rest is 0). Boxes then map back by the factor alone, with no offset.
/// The size comes from the full-size image (<see cref="RgbPixels.SourceWidth"/>); pixels decoded at a reduced
/// DCT scale are resized to it from their own size. Normalisation is computed in double and stored as float32,
/// as the reference does: 8-bit pixels through a 256-entry table per channel, resized ones row by row as the
/// resize makes them (<see cref="NormalisedPlaneRows"/>).
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
        ClearPadding(nchw, planes.Length, width, height, planeWidth, planeHeight);
        if (image.Width == width && image.Height == height)
        {
            NormaliseBytes(image.Data.Span, width, height, nchw, planeWidth, planeHeight, planes);
            return;
        }
        // One resized row at a time into the planes (a whole resized 1280×720 image would be 11 MB written and read back).
        var rowLength = width * 3;
        var scratch = DetectionBuffers<float>.Rent(2 * rowLength);
        try
        {
            var rows = new NormalisedPlaneRows(scratch.AsSpan(0, rowLength), scratch.AsSpan(rowLength, rowLength), nchw,
                width, planeWidth, planeHeight, planes);
            if (image.IsFullSize)
                OpenCvResize.Linear(image.Data.Span, image.Width, image.Height, 3, factor, ref rows);
            else
                OpenCvResize.Linear(image.Data.Span, image.Width, image.Height, 3, width, height, ref rows);
        }
        finally
        {
            DetectionBuffers<float>.Return(scratch);
        }
    }

    /// <summary>
    /// Zeroes what the image does not cover: the columns right of it and the rows below it in each plane. Only those
    /// (the buffers are pooled, so they hold the last request's values): clearing YuNet's whole 1280×736 planes
    /// wrote 11 MB a request to overwrite nearly all of it at once.
    /// </summary>
    private static void ClearPadding(Span<float> nchw, int planes, int width, int height, int planeWidth, int planeHeight)
    {
        var plane = planeWidth * planeHeight;
        for (var p = 0; p < planes; p++)
        {
            var target = nchw.Slice(p * plane, plane);
            if (width < planeWidth)
                for (var y = 0; y < height; y++)
                    target.Slice(y * planeWidth + width, planeWidth - width).Clear();
            target[(height * planeWidth)..].Clear();
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
}
