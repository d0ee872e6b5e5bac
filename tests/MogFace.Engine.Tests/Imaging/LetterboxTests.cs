using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

public class LetterboxTests
{
    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1080, 1920)]
    [InlineData(641, 479)]
    [InlineData(100, 3000)]
    [InlineData(256, 256)]
    [InlineData(7, 5)]
    public void Points_round_trip_between_source_and_square(int width, int height)
    {
        var box = new Letterbox(width, height, 256, 256);
        foreach (var (x, y) in new[] { (0f, 0f), (width, height), (width * 0.3f, height * 0.7f), (width - 1f, 1f) })
        {
            var (tx, ty) = box.ToTarget(x, y);
            var (sx, sy) = box.ToSource(tx, ty);
            Assert.Equal(x, sx, 0.01f * Math.Max(1, width / 256f));
            Assert.Equal(y, sy, 0.01f * Math.Max(1, height / 256f));
        }
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1080, 1920)]
    public void The_image_fills_the_long_side_and_is_centred(int width, int height)
    {
        var box = new Letterbox(width, height, 256, 256);
        var (x0, y0) = box.ToTarget(0, 0);
        var (x1, y1) = box.ToTarget(width, height);
        Assert.Equal(0f, Math.Min(x0, y0), 3);
        Assert.Equal(256f, Math.Max(x1, y1), 3);
        Assert.Equal(256 - x1, x0, 3); // equal padding both sides
        Assert.Equal(256 - y1, y0, 3);
    }

    [Fact]
    public void Fill_writes_normalised_pixels_and_black_padding()
    {
        // 4×2 white image into 4×4: rows 0 and 3 are padding, rows 1-2 the image.
        var white = new RgbPixels(4, 2, Enumerable.Repeat((byte)255, 4 * 2 * 3).ToArray());
        var target = new float[4 * 4 * 3];
        new Letterbox(4, 2, 4, 4).FillNhwc(white, target, 1 / 127.5f, -1f);
        Assert.All(target.AsSpan(0, 12).ToArray(), v => Assert.Equal(-1f, v));
        Assert.All(target.AsSpan(12, 24).ToArray(), v => Assert.Equal(1f, v, 5));
        Assert.All(target.AsSpan(36, 12).ToArray(), v => Assert.Equal(-1f, v));
    }

    [Fact]
    public void Fill_interpolates_between_neighbours()
    {
        // A 2×1 image black|white scaled to 4×2: columns sample at source x = -0.25, 0.25, 0.75, 1.25.
        var pixels = new RgbPixels(2, 1, new byte[] { 0, 0, 0, 255, 255, 255 });
        var target = new float[4 * 2 * 3];
        new Letterbox(2, 1, 4, 2).FillNhwc(pixels, target, 1f, 0f);
        float[] expected = [0f, 63.75f, 191.25f, 255f];
        for (var u = 0; u < 4; u++)
            Assert.Equal(expected[u], target[u * 3], 3);
    }
}
