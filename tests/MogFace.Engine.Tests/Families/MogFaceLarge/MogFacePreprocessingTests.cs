using MogFace.Engine.Families.MogFaceLarge;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class MogFacePreprocessingTests
{
    [Fact]
    public void NormalisesKnownPixelsWithTheExtra255IntoNchw()
    {
        // Two pixels: (255, 0, 128) and black. x = (p − mean) / (std · 255):
        // R (255 − 123.675) / (58.395·255) = 0.00881925, G (0 − 116.28) / (57.12·255) = −0.00798319,
        // B (128 − 103.53) / (57.375·255) = 0.00167252; black: −0.00830551, −0.00798319, −0.00707625.
        var image = new RgbPixels(2, 1, new byte[] { 255, 0, 128, 0, 0, 0 });
        var nchw = new float[6];
        MogFacePreprocessing.Fill(image, 1.0, nchw, 2, 1);
        float[] expected = [0.00881925f, -0.00830551f, -0.00798319f, -0.00798319f, 0.00167252f, -0.00707625f];
        for (var i = 0; i < 6; i++)
            Assert.Equal(expected[i], nchw[i], 1e-8f); // the literals have 6 significant digits
    }

    [Fact]
    public void ResizesFloatPixelsBeforeNormalising()
    {
        // 4×1 grey ramp, f = 0.5 → 2×1; (10 + 20)/2 = 15 is resized as a float, then normalised.
        // Normalising first would give the same here (linear), but rounding to 8 bits in between would not:
        // (1 + 2)/2 = 1.5 must stay 1.5.
        var image = new RgbPixels(4, 2, new byte[] { 1, 1, 1, 2, 2, 2, 9, 9, 9, 9, 9, 9, 1, 1, 1, 2, 2, 2, 9, 9, 9, 9, 9, 9 });
        var nchw = new float[3 * 2 * 1];
        MogFacePreprocessing.Fill(image, 0.5, nchw, 2, 1);
        Assert.Equal((float)((1.5 - 123.675) / (58.395 * 255)), nchw[0], 7);
        Assert.Equal((float)((9 - 123.675) / (58.395 * 255)), nchw[1], 7);
    }

    [Fact]
    public void PadsFixedSizePlanesWithTheMeanColour()
    {
        var image = new RgbPixels(1, 1, new byte[] { 255, 255, 255 });
        var nchw = new float[3 * 2 * 2];
        nchw.AsSpan().Fill(42);
        MogFacePreprocessing.Fill(image, 1.0, nchw, 2, 2);
        Assert.Equal([0f, 0f, 0f], new[] { nchw[1], nchw[2], nchw[3] });
        Assert.NotEqual(0f, nchw[0]);
    }

    [Theory]
    [InlineData(MogFaceResizePolicy.Reference, 1500, 1000, 1.0)]         // not above 1500: native
    [InlineData(MogFaceResizePolicy.Reference, 2000, 1200, 0.5)]         // long side to 1000
    [InlineData(MogFaceResizePolicy.Reference, 1200, 1777, 1000.0 / 1777)]
    [InlineData(MogFaceResizePolicy.Shrink, 1000, 1000, 1.0)]            // min(1, sqrt(10737418 / 1e6))
    [InlineData(MogFaceResizePolicy.Shrink, 4000, 3000, 0.94593068082)]  // sqrt(0x7fffffff / 200 / 12e6)
    [InlineData(MogFaceResizePolicy.Native, 5000, 4000, 1.0)]
    public void ResizePolicies(MogFaceResizePolicy policy, int width, int height, double expected)
    {
        Assert.Equal(expected, MogFacePreprocessing.Factor(policy, width, height), 9);
    }

    [Fact]
    public void UnknownPolicyIsRejected()
    {
        Assert.Equal(MogFaceResizePolicy.Reference, MogFacePreprocessing.ParsePolicy(null));
        Assert.Equal(MogFaceResizePolicy.Shrink, MogFacePreprocessing.ParsePolicy("Shrink"));
        Assert.Throws<ArgumentException>(() => MogFacePreprocessing.ParsePolicy("letterbox"));
    }

    [Fact]
    public void MirrorFlipsColumns()
    {
        var mirrored = MogFacePreprocessing.Mirror(new RgbPixels(2, 1, new byte[] { 1, 2, 3, 4, 5, 6 }));
        Assert.Equal(new byte[] { 4, 5, 6, 1, 2, 3 }, mirrored.Data.ToArray());
    }
}
