using MogFace.Engine.Imaging;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// The reference preprocessing: 8-bit RGB → float32 → OpenCV INTER_LINEAR resize by an exact factor (before
/// normalisation) → <c>x = (p − mean) / (std · 255)</c> per RGB channel → NCHW.
/// The extra /255 is in the reference and the weights were trained with it (values near ±0.009).
/// </summary>
internal static class MogFacePreprocessing
{
    public static readonly double[] Mean = [123.675, 116.28, 103.53];
    public static readonly double[] Std = [58.395, 57.12, 57.375];

    /// <summary>ModelScope: long side scaled to this when it exceeds <see cref="ReferenceLimit"/>.</summary>
    public const int ReferenceLongSide = 1000, ReferenceLimit = 1500;

    /// <summary>The official test's bound on input pixels: 0x7fffffff / 200 (a Caffe-era memory limit).</summary>
    public const double ShrinkPixelBudget = 0x7fffffff / 200.0;

    /// <summary>The resize factor a policy picks for a W×H image (1 = native size).</summary>
    public static double Factor(MogFaceResizePolicy policy, int width, int height) => policy switch
    {
        MogFaceResizePolicy.Reference => Math.Max(width, height) > ReferenceLimit ? (double)ReferenceLongSide / Math.Max(width, height) : 1.0,
        MogFaceResizePolicy.Shrink => Math.Min(1.0, MaxShrink(width, height)),
        _ => 1.0,
    };

    /// <summary>The official test's memory bound <c>sqrt(0x7fffffff / 200 / (H·W))</c>, before any cap.</summary>
    public static double MaxShrink(int width, int height) => Math.Sqrt(ShrinkPixelBudget / ((double)width * height));

    public static MogFaceResizePolicy ParsePolicy(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "reference" => MogFaceResizePolicy.Reference,
        "shrink" => MogFaceResizePolicy.Shrink,
        "native" => MogFaceResizePolicy.Native,
        _ => throw new ArgumentException($"Unknown MogFace resize policy '{value}'; expected reference, shrink or native."),
    };

    /// <summary>Size of the network input for an image and factor (the image's own size at factor 1).</summary>
    public static (int Width, int Height) InputSize(int width, int height, double factor) => NchwInput.ResizedSize(width, height, factor);

    /// <summary>The reference's planes: R, G, B, each <c>(p − mean) / (std · 255)</c>.</summary>
    private static readonly PlaneChannel[] Channels = [.. Enumerable.Range(0, 3).Select(c => new PlaneChannel(c, Mean[c], Std[c] * 255.0))];

    /// <summary>
    /// Writes the normalised NCHW tensor of <paramref name="image"/> resized by <paramref name="factor"/> into
    /// <paramref name="nchw"/>, whose planes are <paramref name="planeWidth"/>×<paramref name="planeHeight"/>
    /// (at least the resized size; a fixed-size model may be larger: the rest is 0, the normalised mean colour).
    /// </summary>
    public static void Fill(RgbPixels image, double factor, Span<float> nchw, int planeWidth, int planeHeight) =>
        NchwInput.Fill(image, factor, nchw, planeWidth, planeHeight, Channels);

    /// <summary>A horizontally mirrored copy (the flip passes of the multi-scale test).</summary>
    public static RgbPixels Mirror(RgbPixels image)
    {
        var source = image.Data.Span;
        var copy = new byte[source.Length];
        var stride = image.Width * 3;
        for (var y = 0; y < image.Height; y++)
        {
            var from = source.Slice(y * stride, stride);
            var to = copy.AsSpan(y * stride, stride);
            for (var x = 0; x < image.Width; x++)
                from.Slice(3 * x, 3).CopyTo(to.Slice(3 * (image.Width - 1 - x), 3));
        }
        return new RgbPixels(image.Width, image.Height, copy, image.SourceWidth, image.SourceHeight);
    }
}
