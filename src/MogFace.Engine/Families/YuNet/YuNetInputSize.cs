namespace MogFace.Engine.Families.YuNet;

/// <summary>
/// The resolution policy: the image runs at its own size, scaled down only when its long side exceeds the cap
/// (manifest <c>maxSide</c>, request <c>maxSide</c>), then padded bottom/right to the next multiple of 32 —
/// padded, not stretched, so boxes map back by the scale factor alone. Small faces are what a downscale loses,
/// so a larger cap finds more of them at a higher cost (docs/benchmarks.md measures the trade-off).
/// A fixed-size export instead fits the image into its input (scaled up or down, aspect kept).
/// </summary>
internal readonly record struct YuNetInputSize(double Factor, int PlaneWidth, int PlaneHeight)
{
    /// <summary>Default cap on the long side: see docs/benchmarks.md for the measurements behind it.</summary>
    public const int DefaultMaxSide = 1280;

    public static YuNetInputSize For(int width, int height, int maxSide, YuNetBinding binding)
    {
        if (binding.IsFixedSize)
        {
            int fw = binding.FixedWidth!.Value, fh = binding.FixedHeight!.Value;
            return new YuNetInputSize(Math.Min((double)fw / width, (double)fh / height), fw, fh);
        }
        var longSide = Math.Max(width, height);
        var factor = longSide > maxSide ? (double)maxSide / longSide : 1.0;
        var (w, h) = Imaging.NchwInput.ResizedSize(width, height, factor);
        if (w < 1 || h < 1)
            (factor, w, h) = (1.0, width, height); // a sliver (e.g. 5000×1) would shrink to nothing: run it as it is
        return new YuNetInputSize(factor, RoundUp(w), RoundUp(h));
    }

    private static int RoundUp(int size) => (size + YuNetFamily.Alignment - 1) / YuNetFamily.Alignment * YuNetFamily.Alignment;
}
