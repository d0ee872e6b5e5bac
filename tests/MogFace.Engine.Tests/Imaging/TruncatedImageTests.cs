using MogFace.Tests.Shared;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>
/// Issue 12, case 10: ImageSharp decodes a cut-off file of every accepted format without complaint (the missing
/// part comes out grey), which would turn a broken upload into wrong boxes. Each is refused as undecodable.
/// </summary>
public class TruncatedImageTests
{
    public static TheoryData<string> Formats => new(TruncatedImages.Formats);

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_cut_off_image_is_refused_as_undecodable(string format)
    {
        var ex = Assert.Throws<ImageInputException>(() => ImageIntake.Decode(TruncatedImages.Cut(format), ImageLimits.Default));
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("webp-lossless")]
    [InlineData("bmp")]
    [InlineData("jpeg-420")]
    [InlineData("jpeg-444")]
    [InlineData("jpeg-grey")]
    [InlineData("jpeg-progressive")]
    public void The_whole_image_still_decodes(string format)
    {
        using var image = ImageIntake.Decode(TruncatedImages.Encode(format), ImageLimits.Default);
        Assert.Equal(512, image.Width);
    }

    [Fact]
    public void Every_test_photo_still_decodes()
    {
        foreach (var path in Directory.GetFiles(RepoPaths.Images).Where(p => p.EndsWith(".jpg") || p.EndsWith(".png")))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length > ImageLimits.Default.MaxBytes)
                continue;
            using var image = ImageIntake.Decode(bytes, ImageLimits.Default);
        }
    }
}
