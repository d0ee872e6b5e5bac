using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Tests.Shared;

/// <summary>Cut-off files of every accepted image format (issue 12, case 10), and the whole files they come from.</summary>
public static class TruncatedImages
{
    /// <summary>What <see cref="Cut"/> and <see cref="Encode"/> take (Encode: all but "jpeg").</summary>
    public static readonly string[] Formats = ["png", "webp", "webp-lossless", "bmp", "jpeg", "jpeg-420", "jpeg-444", "jpeg-grey", "jpeg-progressive"];

    /// <summary>The media type to send a format as.</summary>
    public static string MediaType(string format) => format.StartsWith("jpeg", StringComparison.Ordinal) ? "image/jpeg"
        : format.StartsWith("webp", StringComparison.Ordinal) ? "image/webp" : $"image/{format}";

    private static readonly byte[] Jpeg = File.ReadAllBytes(RepoPaths.GraceHopper);

    /// <summary>A baseline JPEG (the Grace Hopper photo is progressive; see <see cref="Cut"/>).</summary>
    private static readonly byte[] Baseline = File.ReadAllBytes(RepoPaths.Image("640px-IceBlockNearJoekullsarlon.jpg"));

    /// <summary>The test photo re-encoded in <paramref name="format"/> ("jpeg-progressive": the photo itself).</summary>
    public static byte[] Encode(string format)
    {
        if (format == "jpeg-progressive")
            return Jpeg;
        using var image = Image.Load<Rgb24>(Jpeg);
        using var stream = new MemoryStream();
        IImageEncoder encoder = format switch
        {
            "png" => new PngEncoder(),
            "webp" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossy },
            "webp-lossless" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
            "bmp" => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
            "jpeg-420" => new JpegEncoder { ColorType = JpegColorType.YCbCrRatio420, Quality = 90 },
            "jpeg-444" => new JpegEncoder { ColorType = JpegColorType.YCbCrRatio444, Quality = 75 },
            "jpeg-grey" => new JpegEncoder { ColorType = JpegColorType.Luminance },
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>
    /// Every accepted format cut at 3/5 of its length; the JPEGs (baseline, and progressive: cut after a complete scan,
    /// it only loses its last refinements) with FF D9 appended, so the end-marker test alone passes them.
    /// </summary>
    public static byte[] Cut(string format)
    {
        var whole = format == "jpeg" ? Baseline : Encode(format);
        var cut = whole[..(whole.Length * 3 / 5)];
        return format.StartsWith("jpeg", StringComparison.Ordinal) ? [.. cut, 0xFF, 0xD9] : cut;
    }
}
