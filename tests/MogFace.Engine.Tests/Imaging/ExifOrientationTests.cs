using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>The fast path's orientation copy gives exactly what ImageSharp's AutoOrient gives, for all eight orientations.</summary>
public class ExifOrientationTests
{
    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void Matches_ImageSharp_AutoOrient(ushort orientation)
    {
        const int width = 7, height = 5; // odd, unequal sides: a swapped or mirrored axis cannot hide
        var random = new Random(orientation);
        using var stored = new Image<Rgb24>(width, height);
        var rgba = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var pixel = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            stored[x, y] = pixel;
            var at = 4 * (y * width + x);
            (rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]) = (pixel.R, pixel.G, pixel.B, 255);
        }
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        using var expected = stored.Clone(x => x.AutoOrient());

        var (w, h) = ExifOrientation.Displayed(width, height, orientation);
        Assert.Equal((expected.Width, expected.Height), (w, h));
        var rgb = new byte[w * h * 3];
        ExifOrientation.CopyToRgb(rgba, width, height, orientation, rgb);
        var wanted = new byte[w * h * 3];
        expected.CopyPixelDataTo(wanted);
        Assert.Equal(wanted, rgb);
    }

    [Fact]
    public void Dropping_alpha_keeps_every_pixel_of_a_long_row()
    {
        // Long enough for the vector path and an odd tail.
        const int width = 37;
        var rgba = Enumerable.Range(0, width * 4).Select(i => (byte)i).ToArray();
        var rgb = new byte[width * 3];
        ExifOrientation.CopyToRgb(rgba, width, 1, 1, rgb);
        Assert.Equal(Enumerable.Range(0, width * 4).Where(i => i % 4 != 3).Select(i => (byte)i), rgb);
    }
}
