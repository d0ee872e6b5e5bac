namespace MogFace.Engine.Imaging;

/// <summary>
/// Which DCT scale a JPEG decodes at: libjpeg-turbo can drop high frequencies while it inverse-transforms and
/// produce the image at 1/2, 1/4 or 1/8 of its size for a fraction of the work (a 6000×6000 photo at 1/4 costs
/// about a fifth of the full decode, docs/benchmarks.md). The smallest scale whose image still has at least the
/// pixels the model will sample is chosen, so the network input (its size chosen from the full-size image) is
/// unchanged and only ever downscaled from the decoded pixels.
/// </summary>
public static class JpegDecodeScale
{
    /// <summary>The denominators libjpeg's scaled IDCT offers that are worth taking (1/3, 3/8 … exist but are slow paths).</summary>
    public static ReadOnlySpan<int> Denominators => [8, 4, 2, 1];

    /// <summary>
    /// The largest denominator (1, 2, 4 or 8) at which a <paramref name="width"/>×<paramref name="height"/> image
    /// still decodes to at least <paramref name="neededWidth"/>×<paramref name="neededHeight"/>; 1 when the model
    /// needs the full size (or more).
    /// </summary>
    public static int Denominator(int width, int height, int neededWidth, int neededHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        foreach (var d in Denominators)
        {
            var (w, h) = ScaledSize(width, height, d);
            if (w >= neededWidth && h >= neededHeight)
                return d;
        }
        return 1;
    }

    /// <summary>The size libjpeg gives at 1/<paramref name="denominator"/>: each side rounded up (jdiv_round_up).</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, int denominator) =>
        ((width + denominator - 1) / denominator, (height + denominator - 1) / denominator);
}
