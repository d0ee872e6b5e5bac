using MogFace.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>
/// The JPEG fast path decodes a large photo at the DCT scale the model needs and finds the same faces, in
/// full-size coordinates, as a full decode; every intake check still runs first.
/// </summary>
public sealed class ScaledJpegDecodeTests(ScaledJpegDecodeTests.Models models) : IClassFixture<ScaledJpegDecodeTests.Models>
{
    public sealed class Models : IDisposable
    {
        public FaceModel YuNet { get; } = ModelFiles.Load(RepoPaths.YuNet);
        public FaceModel BlazeFace { get; } = ModelFiles.Load(RepoPaths.BlazeFaceBack);

        /// <summary>sample5 (five faces) scaled to 6000 px wide, as a camera would save it.</summary>
        public byte[] Large { get; } = Upscaled("sample5.jpg", 6000);

        public void Dispose()
        {
            YuNet.Dispose();
            BlazeFace.Dispose();
        }
    }

    private static byte[] Upscaled(string name, int width)
    {
        using var image = Image.Load<Rgb24>(RepoPaths.Image(name));
        image.Mutate(x => x.Resize(width, 0));
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = 90 });
        return stream.ToArray();
    }

    [Theory]
    [InlineData("yunet", 4)]     // maxSide 1280: 1500 px wide at 1/4
    [InlineData("blazeface", 8)] // 256 input: 750 px wide at 1/8
    public void A_6000_px_jpeg_decoded_at_reduced_scale_gives_the_full_decodes_faces(string family, int denominator)
    {
        var model = family == "yunet" ? models.YuNet : models.BlazeFace;
        var options = DetectionOptions.Default;
        IReadOnlyList<Face> full;
        using (var image = ImageIntake.Decode(models.Large, ImageLimits.Default))
            full = model.Detect(image, options, "test", new StageClock()).Faces;

        using var scaled = ImageIntake.DecodeForDetection(models.Large, ImageLimits.Default, model.Sampling(options));
        Assert.Equal(denominator, scaled.Denominator);
        Assert.Equal(6000, scaled.Width);
        Assert.Equal((6000 + denominator - 1) / denominator, scaled.Pixels.Width);
        Assert.Equal(scaled.Pixels.Width * (long)scaled.Pixels.Height, ImageIntake.DecodedPixels(models.Large, model.Sampling(options)));
        var result = model.Detect(scaled, options, "test", new StageClock());
        Assert.Equal((scaled.Width, scaled.Height), (result.Image.Width, result.Image.Height));

        Assert.Equal(5, full.Count);
        Assert.Equal(full.Count, result.Faces.Count);
        foreach (var face in full)
        {
            var best = result.Faces.Max(f => IoU(f.Box, face.Box));
            Assert.True(best > 0.9, $"{family}: the full decode's face at {string.Join(",", face.Box)} is matched at IoU {best:0.000} only");
        }
    }

    [Fact]
    public void Exif_orientation_is_applied_on_the_fast_path_at_reduced_scale()
    {
        // 600×400 stored with orientation 6 is shown 400×600; a consumer that samples 100×150 gets it at 1/4.
        using var source = new Image<Rgb24>(600, 400, new Rgb24(0, 0, 255));
        for (var y = 0; y < 64; y++) // stored top-left → shown top-right
        for (var x = 0; x < 64; x++)
            source[x, y] = new Rgb24(255, 0, 0);
        source.Metadata.ExifProfile = new ExifProfile();
        source.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        using var ms = new MemoryStream();
        source.Save(ms, new JpegEncoder { Quality = 95 });

        using var decoded = ImageIntake.DecodeForDetection(ms.ToArray(), ImageLimits.Default, (_, _) => (100, 150));
        Assert.Equal(4, decoded.Denominator);
        Assert.Equal((400, 600), (decoded.Width, decoded.Height));
        var pixels = decoded.Pixels;
        Assert.Equal((100, 150), (pixels.Width, pixels.Height));
        var data = pixels.Data.Span;
        var topRight = 3 * (pixels.Width - 2) + 3 * pixels.Width; // (98, 1)
        Assert.True(data[topRight] > 200 && data[topRight + 2] < 60, "the red corner is at the top right");
        Assert.True(data[3 + 3 * pixels.Width] < 60, "the top left is blue");
    }

    [Fact]
    public void A_truncated_jpeg_is_refused_on_the_fast_path()
    {
        var ex = Assert.Throws<ImageInputException>(() =>
            ImageIntake.DecodeForDetection(TruncatedImages.Cut("jpeg"), ImageLimits.Default, (w, h) => (w / 8, h / 8)));
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
    }

    [Fact]
    public void The_pixel_limit_counts_the_full_size_and_is_checked_before_decoding()
    {
        // A reduced decode does not let a larger image in: the limit is the header's, checked first.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.Throws<ImageInputException>(() =>
            ImageIntake.DecodeForDetection(models.Large, new ImageLimits { MaxPixels = 6000L * 4000 - 1 }, (w, h) => (w / 8, h / 8)));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(ImageInputError.TooManyPixels, ex.Error);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void A_model_that_runs_at_native_size_gets_the_full_decode()
    {
        var jpeg = File.ReadAllBytes(RepoPaths.Image("sample1.jpg")); // 1920×1280, YuNet caps at 1280: 1/2 would be 960
        using var decoded = ImageIntake.DecodeForDetection(jpeg, ImageLimits.Default, models.YuNet.Sampling(DetectionOptions.Default));
        Assert.Equal(1, decoded.Denominator);
        Assert.True(decoded.Pixels.IsFullSize);
    }

    private static float IoU(float[] a, float[] b) => NonMaxSuppression.IoU(
        new Candidate(a[0], a[1], a[2], a[3], 0, []), new Candidate(b[0], b[1], b[2], b[3], 0, []));
}
