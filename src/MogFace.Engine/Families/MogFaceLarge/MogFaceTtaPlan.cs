namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// The passes of damo-cv/MogFace's test_multi.py (default arguments), in its order, for a W×H image:
/// single scale and its flip, the "shrink" passes (0.5, 0.75) for big faces, the "enlarge" passes
/// (min(2, m), 1.5, m) for small faces, and the pyramid (0.25, 1.25, 1.75, 2.25), each with its box-area filter
/// (scale weight 15). m is the memory bound <c>sqrt(0x7fffffff / 200 / (H·W))</c>, replaced by
/// <see cref="MogFaceTtaOptions.MaxShrink"/> when above 2.2.
/// </summary>
internal static class MogFaceTtaPlan
{
    public static double MaxShrinkFor(int width, int height, MogFaceTtaOptions options)
    {
        var bound = MogFacePreprocessing.MaxShrink(width, height);
        return bound > 2.2 ? options.MaxShrink : bound;
    }

    public static List<MogFaceTtaPass> For(int width, int height, MogFaceTtaOptions options)
    {
        var m = MaxShrinkFor(width, height, options);
        var weight = options.ScaleWeight;
        var shrink = Math.Min(m, 1.0);
        var passes = new List<MogFaceTtaPass>
        {
            new(shrink, Flip: false),
            new(shrink, Flip: true),
        };
        // Shrunk passes only see big faces.
        var st = m >= 0.75 ? 0.5 : 0.5 * m;
        passes.Add(new(st, false, MinArea: 2000));
        if (m > 0.75)
            passes.Add(new(0.75, false, MinArea: 2000));
        // Enlarged passes only see small faces.
        var bt = m > 1 ? Math.Min(2, m) : (st + m) / 2;
        passes.Add(new(bt, false, MaxArea: weight * 600));
        if (m > 1.5)
            passes.Add(new(1.5, false, MaxArea: weight * 800));
        if (m > 2)
            passes.Add(new(m, false, MaxArea: weight * 500));
        // The pyramid.
        passes.Add(new(0.25, false, MinArea: 2000));
        if (1.25 <= m)
            passes.Add(new(1.25, false, MaxArea: weight * 2000));
        if (1.75 <= m)
            passes.Add(new(1.75, false, MaxArea: weight * 1000));
        if (2.25 <= m)
            passes.Add(new(2.25, false, MaxArea: weight * 600));
        return passes;
    }
}
