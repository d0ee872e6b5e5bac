using MogFace.Engine.Families.YuNet;

namespace MogFace.Engine.Tests.Families.YuNet;

public sealed class YuNetInputSizeTests
{
    private static readonly YuNetBinding Dynamic = new("input", [], null, null);

    [Theory]
    // Within the cap: own size, padded up to multiples of 32 (500 → 512, 300 → 320; 640 and 480 already are).
    [InlineData(500, 300, 1280, 1.0, 512, 320)]
    [InlineData(640, 480, 640, 1.0, 640, 480)]
    // A sliver still gets one 32 × 32 cell.
    [InlineData(33, 1, 1280, 1.0, 64, 32)]
    // Above the cap: f = 1280 / 1920 = ⅔; OpenCV's size round(1920·⅔) × round(1280·⅔) = 1280 × 853 → planes 1280 × 864.
    [InlineData(1920, 1280, 1280, 2.0 / 3, 1280, 864)]
    // Portrait, cap 640: f = 640 / 1920 = ⅓; 1398·⅓ = 466 → 480; 1920·⅓ = 640.
    [InlineData(1398, 1920, 640, 640.0 / 1920, 480, 640)]
    public void Runs_at_own_size_up_to_the_cap_and_pads_to_multiples_of_32(int width, int height, int maxSide, double factor, int planeWidth, int planeHeight)
    {
        var size = YuNetInputSize.For(width, height, maxSide, Dynamic);
        Assert.Equal(factor, size.Factor, 12);
        Assert.Equal((planeWidth, planeHeight), (size.PlaneWidth, size.PlaneHeight));
    }

    [Fact]
    public void A_fixed_size_export_fits_the_image_into_its_input()
    {
        // 1280 × 960 into 640 × 640: min(640/1280, 640/960) = 0.5; the 640 × 480 image is padded below.
        var size = YuNetInputSize.For(1280, 960, 1280, new YuNetBinding("input", [], 640, 640));
        Assert.Equal(new YuNetInputSize(0.5, 640, 640), size);
    }
}
