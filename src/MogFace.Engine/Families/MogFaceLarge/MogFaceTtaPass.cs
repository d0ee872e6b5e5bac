namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// One pass of the multi-scale test: the image scaled by <paramref name="Shrink"/> (mirrored when
/// <paramref name="Flip"/>), its boxes kept only when their area <c>(x2 − x1)·(y2 − y1)</c> in image pixels is
/// above <paramref name="MinArea"/> / below <paramref name="MaxArea"/> (downscaled passes keep big faces,
/// upscaled ones small faces).
/// </summary>
internal readonly record struct MogFaceTtaPass(double Shrink, bool Flip, float? MinArea = null, float? MaxArea = null)
{
    public bool Keeps(float x1, float y1, float x2, float y2)
    {
        var area = (x2 - x1) * (y2 - y1);
        return (MinArea is not { } min || area > min) && (MaxArea is not { } max || area < max);
    }
}
