using System.Text.Json;
using Xunit.Abstractions;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class OpenCvResizeTests(ITestOutputHelper output)
{
    private static string CommittedFixture => Path.Combine(MogFaceTestFiles.RepositoryRoot, "tests/fixtures/mogface/resize_parity.json");

    [Fact]
    public void MatchesOpenCv_CommittedFixture() => AssertFixture(CommittedFixture, bitExact: true);

    [Fact]
    public void MatchesOpenCv_RegeneratedWithCv2WhenAvailable()
    {
        var fresh = Path.Combine(Path.GetTempPath(), $"resize_parity-{Guid.NewGuid():N}.json");
        try
        {
            var (code, text) = MogFaceTestFiles.RunPython(
                Path.Combine(MogFaceTestFiles.RepositoryRoot, "tests/fixtures/mogface/resize_parity.py"), "--out", fresh);
            if (code != 0 || !File.Exists(fresh))
            {
                output.WriteLine($"python3-opencv unavailable ({text.Trim()}); using the committed fixture");
                fresh = CommittedFixture;
            }
            AssertFixture(fresh, bitExact: false); // another OpenCV build may round differently (SIMD/FMA)
        }
        finally
        {
            if (fresh != CommittedFixture)
                File.Delete(fresh);
        }
    }

    private void AssertFixture(string path, bool bitExact)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.True(cases.Count >= 6, "fixture has too few cases");
        var worst = 0.0;
        foreach (var c in cases)
        {
            var factor = c.GetProperty("factor").GetDouble();
            var inShape = c.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var outShape = c.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var input = c.GetProperty("input").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var expected = c.GetProperty("output").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            int h = inShape[0], w = inShape[1], channels = inShape[2];

            var size = OpenCvResize.OutputSize(w, h, factor);
            Assert.Equal((outShape[1], outShape[0]), size);
            var actual = new float[expected.Length];
            OpenCvResize.Linear<float>(input, w, h, channels, factor, actual);
            var diff = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
            output.WriteLine($"{w}×{h} f={factor}: max |C# − OpenCV| = {diff:g3}");
            worst = Math.Max(worst, diff);
        }
        // OpenCV's own arithmetic, step by step: bit-exact against the committed OpenCV 4.6 results.
        Assert.True(bitExact ? worst == 0 : worst <= 1e-4, $"worst difference {worst}");
    }

    [Fact]
    public void OutputSizeRoundsHalfToEvenOnTheExactProduct()
    {
        Assert.Equal((4, 2), OpenCvResize.OutputSize(7, 5, 0.5));   // 3.5 → 4, 2.5 → 2
        Assert.Equal((1000, 563), OpenCvResize.OutputSize(1777, 1000, 1000.0 / 1777)); // 562.78… → 563
    }

    [Fact]
    public void SamplesWithTheExactFactorNotTheSizeRatio()
    {
        // 5×3 (equal rows) → 2×1 at f = 0.37 (round(1.85) = 2, round(1.11) = 1). Exact factor s = 1/0.37:
        // dx = 0: t = 0.5·s − 0.5 = 0.851351…, dx = 1: t = 1.5·s − 0.5 = 3.554054…
        // (the size ratio 5/2 would sample at 0.75 and 3.25 instead). cv2 gives [[8.513514, 35.540543]].
        float[] row = [0, 10, 20, 30, 40, 0, 10, 20, 30, 40, 0, 10, 20, 30, 40];
        var outRow = new float[2];
        OpenCvResize.Linear<float>(row, 5, 3, 1, 0.37, outRow);
        Assert.Equal(8.513514f, outRow[0], 4);
        Assert.Equal(35.54054f, outRow[1], 4);
    }

    [Fact]
    public void ClampsColumnsAtTheBordersLikeOpenCv()
    {
        // Upscaling 2 px by 2: t = −0.25, 0.25, 0.75, 1.25 → first is pixel 0 (weight reset), last is pixel 1.
        // cv2 gives the same two rows.
        float[] row = [100, 200];
        var outRows = new float[8];
        OpenCvResize.Linear<float>(row, 2, 1, 1, 2.0, outRows);
        Assert.Equal([100f, 125f, 175f, 200f, 100f, 125f, 175f, 200f], outRows);
    }

    [Fact]
    public void ByteAndFloatSourcesGiveTheSameResult()
    {
        var bytes = Enumerable.Range(0, 9 * 7 * 3).Select(i => (byte)(i * 37 % 256)).ToArray();
        var floats = bytes.Select(b => (float)b).ToArray();
        var (w, h) = OpenCvResize.OutputSize(9, 7, 0.6);
        var a = new float[w * h * 3];
        var b = new float[w * h * 3];
        OpenCvResize.Linear<byte>(bytes, 9, 7, 3, 0.6, a);
        OpenCvResize.Linear<float>(floats, 9, 7, 3, 0.6, b);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(0.667)] // YuNet's 1920 → 1280 kind of factor
    [InlineData(1.7)]
    public void ThreeChannelRowsEqualEachChannelResizedAlone(double factor)
    {
        // Three interleaved channels take the 4-lane-per-pixel horizontal pass, one channel the per-element loop:
        // the same float operations in the same order must give the same bits.
        const int width = 301, height = 9;
        var rgb = new byte[width * height * 3];
        new Random(14).NextBytes(rgb);
        var (w, h) = OpenCvResize.OutputSize(width, height, factor);
        var together = new float[w * h * 3];
        OpenCvResize.Linear<byte>(rgb, width, height, 3, factor, together);
        for (var c = 0; c < 3; c++)
        {
            var channel = Enumerable.Range(0, width * height).Select(i => rgb[3 * i + c]).ToArray();
            var alone = new float[w * h];
            OpenCvResize.Linear<byte>(channel, width, height, 1, factor, alone);
            Assert.Equal(alone, Enumerable.Range(0, w * h).Select(i => together[3 * i + c]).ToArray());
        }
    }
}
