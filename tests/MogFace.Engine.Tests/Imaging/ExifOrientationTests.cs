using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>The fast path's orientation copy gives exactly what ImageSharp's AutoOrient gives, for all eight orientations, from RGBA (Skia) and RGB (TurboJPEG).</summary>
public class ExifOrientationTests
{
    [Theory]
    [InlineData(1, 4)] [InlineData(2, 4)] [InlineData(3, 4)] [InlineData(4, 4)]
    [InlineData(5, 4)] [InlineData(6, 4)] [InlineData(7, 4)] [InlineData(8, 4)]
    [InlineData(1, 3)] [InlineData(2, 3)] [InlineData(3, 3)] [InlineData(4, 3)]
    [InlineData(5, 3)] [InlineData(6, 3)] [InlineData(7, 3)] [InlineData(8, 3)]
    public void Matches_ImageSharp_AutoOrient(ushort orientation, int channels)
    {
        const int width = 7, height = 5; // odd, unequal sides: a swapped or mirrored axis cannot hide
        var random = new Random(orientation);
        using var stored = new Image<Rgb24>(width, height);
        var source = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var pixel = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            stored[x, y] = pixel;
            var at = channels * (y * width + x);
            (source[at], source[at + 1], source[at + 2]) = (pixel.R, pixel.G, pixel.B);
            if (channels == 4)
                source[at + 3] = 255;
        }
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        using var expected = stored.Clone(x => x.AutoOrient());

        var (w, h) = ExifOrientation.Displayed(width, height, orientation);
        Assert.Equal((expected.Width, expected.Height), (w, h));
        var rgb = new byte[w * h * 3];
        ExifOrientation.CopyToRgb(source, channels, width, height, orientation, rgb);
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
        ExifOrientation.CopyToRgb(rgba, channels: 4, width, 1, 1, rgb);
        Assert.Equal(Enumerable.Range(0, width * 4).Where(i => i % 4 != 3).Select(i => (byte)i), rgb);
    }
}
