using System.Buffers.Binary;
using MogFace.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

public class ImageIntakeTests
{
    private static ImageInputException Refused(byte[] bytes, ImageLimits? limits = null) =>
        Assert.Throws<ImageInputException>(() => ImageIntake.Decode(bytes, limits ?? ImageLimits.Default));

    [Fact]
    public void Zero_bytes_are_refused_as_empty()
    {
        var ex = Refused([]);
        Assert.Equal(ImageInputError.Empty, ex.Error);
        Assert.Equal(400, ex.Error.ToHttpStatus());
    }

    [Fact]
    public void Truncated_jpeg_is_refused_as_undecodable()
    {
        var jpeg = File.ReadAllBytes(RepoPaths.Image("grace_hopper_512x512.jpg"));
        var ex = Refused(jpeg[..(jpeg.Length / 3)]);
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
    }

    [Fact]
    public void Jpeg_cut_inside_its_header_is_refused_as_undecodable()
    {
        var jpeg = File.ReadAllBytes(RepoPaths.Image("grace_hopper_512x512.jpg"));
        Assert.Equal(ImageInputError.Undecodable, Refused(jpeg[..40]).Error);
    }

    [Fact]
    public void Random_bytes_are_refused_as_undecodable()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        var ex = Refused(bytes);
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
        Assert.Contains("not a JPEG, PNG, WebP or BMP", ex.Message);
    }

    [Fact]
    public void A_text_file_is_refused_as_undecodable()
    {
        var ex = Refused("name,score\nalice,0.9\n"u8.ToArray());
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
    }

    [Fact]
    public void Gif_is_refused_by_name_as_unsupported()
    {
        using var image = new Image<Rgb24>(8, 8);
        using var ms = new MemoryStream();
        image.Save(ms, new GifEncoder());
        var ex = Refused(ms.ToArray());
        Assert.Equal(ImageInputError.UnsupportedFormat, ex.Error);
        Assert.Equal(415, ex.Error.ToHttpStatus());
        Assert.Contains("GIF", ex.Message);
    }

    [Fact]
    public void Tiff_is_refused_by_name_as_unsupported()
    {
        using var image = new Image<Rgb24>(8, 8);
        using var ms = new MemoryStream();
        image.Save(ms, new TiffEncoder());
        var ex = Refused(ms.ToArray());
        Assert.Equal(ImageInputError.UnsupportedFormat, ex.Error);
        Assert.Contains("TIFF", ex.Message);
    }

    [Fact]
    public void A_20000_square_png_header_is_refused_before_decoding()
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Refused(PngHeaderOnly(20000, 20000));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(ImageInputError.TooManyPixels, ex.Error);
        Assert.Equal(422, ex.Error.ToHttpStatus());
        Assert.Contains("20000×20000", ex.Message);
        // 400 MP of RGB would be 1.2 GB: refusing from the header allocates next to nothing.
        Assert.True(allocated < 16 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Bytes_over_the_limit_are_refused_as_too_large()
    {
        var jpeg = File.ReadAllBytes(RepoPaths.Image("grace_hopper_512x512.jpg"));
        var ex = Refused(jpeg, new ImageLimits { MaxBytes = jpeg.Length - 1 });
        Assert.Equal(ImageInputError.TooLarge, ex.Error);
        Assert.Equal(413, ex.Error.ToHttpStatus());
    }

    [Fact]
    public void Pixel_limit_is_configurable()
    {
        var jpeg = File.ReadAllBytes(RepoPaths.Image("grace_hopper_512x512.jpg"));
        Assert.Equal(ImageInputError.TooManyPixels, Refused(jpeg, new ImageLimits { MaxPixels = 512 * 512 - 1 }).Error);
        using var ok = ImageIntake.Decode(jpeg, new ImageLimits { MaxPixels = 512 * 512 });
        Assert.Equal(512, ok.Width);
    }

    [Theory]
    [InlineData("grace_hopper_512x512.jpg", 512, 512)]
    [InlineData("astronaut.png", 512, 512)]
    [InlineData("sample1.jpg", 1920, 1280)]
    public void Accepted_formats_decode(string name, int width, int height)
    {
        using var image = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image(name)), ImageLimits.Default);
        Assert.Equal((width, height), (image.Width, image.Height));
    }

    [Theory]
    [InlineData("webp")]
    [InlineData("bmp")]
    public void Webp_and_bmp_decode(string format)
    {
        using var source = Image.Load<Rgb24>(RepoPaths.Image("grace_hopper_512x512.jpg"));
        using var ms = new MemoryStream();
        if (format == "webp") source.SaveAsWebp(ms); else source.SaveAsBmp(ms);
        using var image = ImageIntake.Decode(ms.ToArray(), ImageLimits.Default);
        Assert.Equal(512, image.Width);
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        // A 300×200 landscape stored with orientation 6 ("rotate 90° clockwise to view") is shown 200×300.
        using var source = new Image<Rgb24>(300, 200);
        source[0, 0] = new Rgb24(255, 0, 0); // top-left stored pixel → top-right once rotated clockwise
        source.Metadata.ExifProfile = new ExifProfile();
        source.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        using var ms = new MemoryStream();
        source.Save(ms, new JpegEncoder { Quality = 100 });

        using var image = ImageIntake.Decode(ms.ToArray(), ImageLimits.Default);
        Assert.Equal((200, 300), (image.Width, image.Height));
        Assert.True(image[199, 0].R > 200 && image[0, 0].R < 60, "the red corner moved to the top-right");
    }

    /// <summary>A PNG signature and a valid IHDR chunk claiming the size, with no pixel data at all.</summary>
    internal static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(ms, "IHDR", ihdr);
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        stream.Write(word);
    }

    /// <summary>The CRC-32 PNG chunks carry (ISO-HDLC polynomial).</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
