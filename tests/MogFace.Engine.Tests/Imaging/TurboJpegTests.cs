using MogFace.Engine.Imaging;
using MogFace.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>
/// The system libjpeg-turbo (TurboJPEG) decodes the service's JPEGs because it is SIMD-built and Skia's copy is not;
/// switching must not move a pixel. Every test JPEG, at every DCT scale and EXIF orientation, decodes to the same
/// bytes through both, and an image the system library refuses is still answered by Skia.
/// </summary>
public class TurboJpegTests
{
    /// <summary>CI runs on Linux with the library installed by scripts/setup.sh; every test below needs it.</summary>
    [Fact]
    public void The_system_library_is_loaded()
    {
        Assert.True(TurboJpeg.IsAvailable,
            "libturbojpeg.so.0 did not load: install Debian's libturbojpeg0 (scripts/setup.sh does), or JPEGs decode ~2.5× slower through Skia.");
        Assert.Equal("libjpeg-turbo (system libturbojpeg)", TurboJpeg.DecoderName);
    }

    /// <summary>The test photos, the structure samples, the fuzz seeds that are whole JPEGs, and the photo in each subsampling.</summary>
    public static TheoryData<string, int> JpegsAndScales
    {
        get
        {
            var sources = Directory.GetFiles(RepoPaths.Images, "*.jpg", SearchOption.AllDirectories)
                .Where(path => !path.Contains("cmyk", StringComparison.Ordinal)) // TurboJPEG refuses CMYK: the fallback test's case
                .Concat(Directory.GetFiles(RepoPaths.FuzzCorpus("image"), "face-*.jpg"))
                .Select(path => Path.GetRelativePath(RepoPaths.Root, path))
                .Concat(["jpeg-420", "jpeg-444", "jpeg-grey"])
                .Order(StringComparer.Ordinal);
            var data = new TheoryData<string, int>();
            foreach (var source in sources)
                foreach (var denominator in JpegDecodeScale.Denominators)
                    data.Add(source, denominator);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(JpegsAndScales))]
    public void Both_libraries_give_the_same_pixels(string source, int denominator)
    {
        var jpeg = source.StartsWith("jpeg-", StringComparison.Ordinal)
            ? TruncatedImages.Encode(source)
            : File.ReadAllBytes(Path.Combine(RepoPaths.Root, source));

        AssertSamePixels(jpeg, denominator);
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void Both_libraries_give_the_same_pixels_in_every_orientation(ushort orientation)
    {
        using var photo = Image.Load<Rgb24>(RepoPaths.Image("sample1.jpg"));
        photo.Mutate(x => x.Crop(new Rectangle(0, 0, 402, 301))); // odd sides: a swapped or mirrored axis cannot hide
        photo.Metadata.ExifProfile = new ExifProfile();
        photo.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        using var encoded = new MemoryStream();
        photo.Save(encoded, new JpegEncoder { Quality = 90 });

        foreach (var denominator in JpegDecodeScale.Denominators)
            AssertSamePixels(encoded.ToArray(), denominator);
    }

    [Fact]
    public void A_jpeg_the_system_library_refuses_is_decoded_by_skia()
    {
        // A CMYK (YCCK) JPEG: TurboJPEG cannot turn it into RGB, Skia can, as the service always did.
        var jpeg = File.ReadAllBytes(RepoPaths.Image("jpeg-structures/grace-hopper-cmyk.jpg"));
        Assert.Equal(new TurboJpeg.Outcome(false, "Unsupported color conversion request"), TurboJpeg.DecodeRgb(jpeg, 200, 150, new byte[200 * 150 * 3]));

        using var decoded = ImageIntake.DecodeForDetection(jpeg, ImageLimits.Default, sampled: null);
        using var skia = ScaledJpegDecoder.Decode(jpeg, sampled: null, scanWalked: true, preferSystemLibrary: false);
        Assert.Equal((200, 150), (decoded.Width, decoded.Height));
        Assert.True(skia.Pixels.Data.Span.SequenceEqual(decoded.Pixels.Data.Span));
        // And it is the picture it was made from (the photo's crop, through CMYK and JPEG again), not a blank.
        using var photo = Image.Load<Rgb24>(RepoPaths.Image("grace_hopper_512x512.jpg"));
        photo.Mutate(x => x.Crop(new Rectangle(150, 100, 200, 150)));
        var original = new byte[200 * 150 * 3];
        photo.CopyPixelDataTo(original);
        var meanDifference = original.Zip(decoded.Pixels.Data.ToArray(), (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanDifference < 8, $"mean difference {meanDifference:0.0} levels from the source crop");
    }

    /// <summary>
    /// The scan walk runs only after a decode that warned, so every file it refuses must make the library warn (or
    /// refuse): the walk's own differential corpus (every test JPEG cut at 64 offsets with FF D9 appended, and with
    /// scan bytes overwritten), each refused file decoded by TurboJPEG.
    /// </summary>
    [Theory]
    [MemberData(nameof(JpegScanDifferentialTests.Jpegs), MemberType = typeof(JpegScanDifferentialTests))]
    public void Every_file_the_scan_walk_refuses_makes_the_library_warn(string source)
    {
        var whole = JpegScanDifferentialTests.Load(source);
        var refused = JpegScanDifferentialTests.Variants(whole)
            .Where(variant => TruncationCheck.JpegHasEndAfterLastScan(variant)) // the rest is refused before any decode
            .Where(variant => JpegScan.MissingData(variant) is not null)
            .ToList();
        foreach (var variant in refused)
        {
            var plan = ScaledJpegDecoder.PlanFor(variant, sampled: null);
            if (plan is null)
                continue; // no readable header: refused before the pixels
            var outcome = TurboJpeg.DecodeRgb(variant, plan.Value.StoredWidth, plan.Value.StoredHeight, new byte[plan.Value.DecodedPixels * 3]);
            Assert.False(outcome.Clean, $"{source}: a {variant.Length}-byte variant the walk refuses ({JpegScan.MissingData(variant)}) decoded without a warning");
        }
        if (!source.Contains("regression-", StringComparison.Ordinal) && !JpegScanDifferentialTests.IsProgressive(whole))
            Assert.NotEmpty(refused);
    }

    [Fact]
    public void A_jpeg_cut_and_given_an_end_marker_is_refused_after_the_decode_warns()
    {
        var whole = File.ReadAllBytes(RepoPaths.Image("sample1.jpg"));
        byte[] cut = [.. whole[..(whole.Length * 2 / 3)], 0xFF, 0xD9];
        Assert.True(ScaledJpegDecoder.WalksScanDataOnWarning);
        var plan = ScaledJpegDecoder.PlanFor(cut, sampled: null)!.Value;
        Assert.True(TurboJpeg.DecodeRgb(cut, plan.StoredWidth, plan.StoredHeight, new byte[plan.DecodedPixels * 3]).Warned);

        var ex = Assert.Throws<ImageInputException>(() => ImageIntake.DecodeForDetection(cut, ImageLimits.Default, sampled: null));
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
        Assert.StartsWith("The JPEG image is truncated (scan data ends after ", ex.Message);
    }

    [Fact]
    public void A_corrupt_jpeg_gives_the_library_s_reason()
    {
        var rgb = new byte[64 * 64 * 3];
        var outcome = TurboJpeg.DecodeRgb([0xFF, 0xD8, 0xFF, 0xD9], 64, 64, rgb);
        Assert.False(outcome.Decoded);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Message));
    }

    /// <summary>Decodes at 1/<paramref name="denominator"/> through each library and compares every byte.</summary>
    private static void AssertSamePixels(byte[] jpeg, int denominator)
    {
        (int, int) Sampled(int width, int height) => JpegDecodeScale.ScaledSize(width, height, denominator);
        var plan = ScaledJpegDecoder.PlanFor(jpeg, Sampled)!.Value;
        Assert.True(TurboJpeg.DecodeRgb(jpeg, plan.StoredWidth, plan.StoredHeight, new byte[plan.DecodedPixels * 3]).Clean); // no silent fallback to Skia
        using var skia = ScaledJpegDecoder.Decode(jpeg, Sampled, scanWalked: true, preferSystemLibrary: false);
        using var system = ScaledJpegDecoder.Decode(jpeg, Sampled, scanWalked: true, preferSystemLibrary: true);

        Assert.Equal(skia.Denominator, system.Denominator);
        Assert.Equal((skia.Pixels.Width, skia.Pixels.Height), (system.Pixels.Width, system.Pixels.Height));
        var expected = skia.Pixels.Data.Span;
        var actual = system.Pixels.Data.Span;
        var first = expected.CommonPrefixLength(actual);
        Assert.True(first == expected.Length && actual.Length == expected.Length,
            $"1/{denominator}: the pixels differ from byte {first} of {expected.Length}");
    }
}
