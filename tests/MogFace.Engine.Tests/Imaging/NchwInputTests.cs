using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging;

/// <summary>
/// The table and vector normalisation against the plain formula (the scalar code it replaced, kept here as the
/// oracle): <c>(float)((p − mean) / divisor)</c> per pixel in double, planes in the order asked, padding zero.
/// </summary>
public class NchwInputTests
{
    private static readonly PlaneChannel[] Bgr = [new(2, 0, 1), new(1, 0, 1), new(0, 0, 1)];
    private static readonly PlaneChannel[] MogFaceLike = [new(0, 123.675, 58.395 * 255), new(1, 116.28, 57.12 * 255), new(2, 103.53, 57.375 * 255)];

    // Padding right and below, right only, below only, none: the buffer starts full of another value (pooled buffers
    // hold the last request's), and whatever the image does not cover must come out 0.
    public static TheoryData<double, int, int, int> Factors => new()
    {
        { 1.0, 0, 5, 3 }, { 0.5, 0, 5, 3 }, { 0.37, 0, 5, 3 }, { 1.0, 1, 5, 3 }, { 0.37, 1, 5, 3 },
        { 0.37, 0, 7, 0 }, { 0.37, 1, 0, 4 }, { 1.0, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Factors))]
    public void Equals_the_scalar_formula(double factor, int planes, int padRight, int padBelow)
    {
        const int width = 123, height = 77; // odd sizes: the vector loops leave tails
        var channels = planes == 0 ? Bgr : MogFaceLike;
        var rgb = new byte[width * height * 3];
        new Random(11).NextBytes(rgb);
        var image = new RgbPixels(width, height, rgb);
        var (w, h) = NchwInput.ResizedSize(width, height, factor);
        int planeWidth = w + padRight, planeHeight = h + padBelow; // padded planes, as a fixed-size or aligned input
        var actual = new float[3 * planeWidth * planeHeight];
        actual.AsSpan().Fill(42);
        NchwInput.Fill(image, factor, actual, planeWidth, planeHeight, channels);

        var values = new float[w * h * 3];
        if (factor == 1.0)
            for (var i = 0; i < values.Length; i++) values[i] = rgb[i];
        else
            OpenCvResize.Linear<byte>(rgb, width, height, 3, factor, values);
        var expected = new float[actual.Length];
        for (var p = 0; p < 3; p++)
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            var (c, mean, divisor) = channels[p];
            expected[p * planeWidth * planeHeight + y * planeWidth + x] = (float)((values[3 * (y * w + x) + c] - mean) / divisor);
        }
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f, $"index {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Pixels_decoded_at_reduced_scale_are_resized_to_the_size_chosen_from_the_full_image()
    {
        // A 1000×600 image decoded at 1/4 (250×150), run at factor 0.128 → 128×77 (from the full size, as OpenCV rounds it).
        var rgb = new byte[250 * 150 * 3];
        new Random(3).NextBytes(rgb);
        var image = new RgbPixels(250, 150, rgb, 1000, 600);
        var nchw = new float[3 * 128 * 77];
        NchwInput.Fill(image, 0.128, nchw, 128, 77, Bgr);

        var resized = new float[128 * 77 * 3];
        OpenCvResize.Linear<byte>(rgb, 250, 150, 3, 128, 77, resized);
        Assert.Equal(resized[2], nchw[0]); // plane 0 is B of pixel (0, 0)
        Assert.Equal(resized[3 * (76 * 128 + 127)], nchw[2 * 128 * 77 + 76 * 128 + 127]); // R of the last pixel
    }
}
