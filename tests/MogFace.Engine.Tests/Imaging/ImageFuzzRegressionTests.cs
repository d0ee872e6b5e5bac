using MogFace.Tests.Shared;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>
/// The images fuzzing found (docs/fuzzing.md, fuzz/corpus/image/regression-*): crafted JPEG and WebP files on which
/// ImageSharp 2.x throws NullReferenceException or ArgumentOutOfRangeException from inside its decoders, which the
/// intake let escape (a 500 on /api/detect). Through the same path they are now refused as undecodable (400), and
/// the pixel count the decode budget reads answers 0 rather than throwing.
/// </summary>
public class ImageFuzzRegressionTests
{
    public static TheoryData<string> Regressions =>
        new(Directory.GetFiles(RepoPaths.FuzzCorpus("image"), "regression-*").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Regressions))]
    public void A_file_that_broke_the_decoder_is_refused_as_undecodable(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.FuzzCorpus("image"), file));

        Assert.True(ImageIntake.DecodedPixels(bytes, null) >= 0);
        Assert.True(ImageIntake.DecodedPixels(bytes, (w, h) => (w / 8, h / 8)) >= 0);
        var ex = Assert.Throws<ImageInputException>(() => ImageIntake.Decode(bytes, ImageLimits.Default));
        Assert.Equal(ImageInputError.Undecodable, ex.Error);
        Assert.Equal(400, ex.Error.ToHttpStatus());
        // The detection path (scaled JPEG decode) refuses them the same way.
        var scaled = Assert.Throws<ImageInputException>(() => ImageIntake.DecodeForDetection(bytes, ImageLimits.Default, (w, h) => (w / 8, h / 8)));
        Assert.Equal(ImageInputError.Undecodable, scaled.Error);
    }
}
