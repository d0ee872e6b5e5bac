using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

public class JpegDecodeScaleTests
{
    [Theory]
    [InlineData(6000, 6000, 1280, 1280, 4)]  // YuNet at maxSide 1280: 1500 ≥ 1280, 750 is not
    [InlineData(6000, 6000, 1000, 1000, 4)]  // MogFace's reference policy (long side 1000)
    [InlineData(6000, 6000, 256, 256, 8)]    // BlazeFace back: 750 ≥ 256
    [InlineData(1920, 1080, 1280, 720, 1)]   // YuNet on 1080p: half (960) would be too small
    [InlineData(1920, 1080, 256, 144, 4)]    // BlazeFace back on 1080p: 480×270; 1/8 is 240×135
    [InlineData(1920, 1280, 128, 86, 8)]     // BlazeFace front: 240×160
    [InlineData(640, 480, 640, 480, 1)]      // the model runs at native size
    [InlineData(640, 480, 700, 500, 1)]      // or scales up: never below 1
    [InlineData(1001, 1001, 126, 126, 8)]    // 1/8 of 1001 rounds up to 126: exactly enough
    [InlineData(1001, 1001, 127, 126, 4)]    // one column more than 1/8 gives
    public void Picks_the_smallest_decode_that_still_covers_what_the_model_samples(int width, int height, int neededWidth, int neededHeight, int expected)
    {
        var denominator = JpegDecodeScale.Denominator(width, height, neededWidth, neededHeight);
        Assert.Equal(expected, denominator);
        var (w, h) = JpegDecodeScale.ScaledSize(width, height, denominator);
        Assert.True(w >= Math.Min(neededWidth, width) && h >= Math.Min(neededHeight, height), $"{w}×{h} is below {neededWidth}×{neededHeight}");
    }

    [Theory]
    [InlineData(1001, 999, 8, 126, 125)] // libjpeg rounds each side up
    [InlineData(6000, 4000, 4, 1500, 1000)]
    [InlineData(7, 3, 8, 1, 1)]
    public void Scaled_size_rounds_up_as_libjpeg_does(int width, int height, int denominator, int expectedWidth, int expectedHeight)
    {
        Assert.Equal((expectedWidth, expectedHeight), JpegDecodeScale.ScaledSize(width, height, denominator));
    }
}
