using System.Text.Json;
using MogFace.Engine.Tests.Families.MogFaceLarge;
using MogFace.Tests.Shared;
using SixLabors.ImageSharp;
using Xunit.Abstractions;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Families.YuNet;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Tests.Families.YuNet;

/// <summary>
/// The C# pipeline against an independent one: tests/fixtures/yunet/yunet_parity.py runs the same weights with
/// OpenCV's cv2.dnn, decodes with numpy and suppresses with cv2.dnn.NMSBoxes. Both read identical pixels
/// (PNG files), so what may differ is float arithmetic: two inference engines, resize and decode rounding.
/// </summary>
public sealed class YuNetOpenCvParityTests(YuNetOpenCvParityTests.Model fixture, ITestOutputHelper output) : IClassFixture<YuNetOpenCvParityTests.Model>
{
    public sealed class Model : IDisposable
    {
        // Unclipped, as the reference leaves boxes.
        public FaceModel Loaded { get; } = FaceModel.Load(
            new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }),
            RepoPaths.ReadWeights(RepoPaths.YuNet), new ModelManifest { ClipBoxes = false }, "yunet-parity");

        public void Dispose() => Loaded.Dispose();
    }

    private static string Script => Path.Combine(RepoPaths.Root, "tests/fixtures/yunet/yunet_parity.py");
    private static string CommittedFixture => Path.Combine(RepoPaths.Root, "tests/fixtures/yunet/yunet_parity.json");

    private readonly FaceModel _model = fixture.Loaded;

    [Fact]
    public void Matches_the_committed_OpenCV_detections() => AssertFixture(CommittedFixture);

    [Fact]
    public void Matches_OpenCV_run_now_on_a_group_photo_when_python3_opencv_is_available()
    {
        var folder = Directory.CreateTempSubdirectory("yunet-parity-").FullName;
        try
        {
            // The JPEG decoded once by ImageSharp and handed to both sides losslessly (libjpeg may round differently).
            var png = Path.Combine(folder, "sample5.png");
            using (var image = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image("sample5.jpg")), ImageLimits.Default))
                image.SaveAsPng(png);
            var fresh = Path.Combine(folder, "parity.json");
            var (code, text) = MogFaceTestFiles.RunPython(Script, "--image", png, "--max-side", "1280",
                "--image", png, "--max-side", "640", "--out", fresh);
            if (code != 0 || !File.Exists(fresh))
            {
                output.WriteLine($"python3-opencv or python3-onnx unavailable ({text.Trim()}); checking the committed fixture");
                fresh = CommittedFixture;
            }
            AssertFixture(fresh);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void AssertFixture(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var threshold = document.RootElement.GetProperty("threshold").GetSingle();
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            var imagePath = c.GetProperty("image").GetString()!;
            var maxSide = c.GetProperty("maxSide").GetInt32();
            var expected = c.GetProperty("faces").EnumerateArray().Select(f => new Face(
                Floats(f.GetProperty("box")), f.GetProperty("score").GetSingle(),
                f.GetProperty("landmarks").EnumerateArray().Select(Floats).ToArray())).ToList();
            using var image = ImageIntake.Decode(File.ReadAllBytes(Path.IsPathRooted(imagePath) ? imagePath : Path.Combine(RepoPaths.Root, imagePath)), ImageLimits.Default);
            var size = YuNetInputSize.For(image.Width, image.Height, maxSide, new YuNetBinding("input", [], null, null));
            Assert.Equal(c.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()), [size.PlaneHeight, size.PlaneWidth]);

            var actual = _model.Detect(image, new DetectionOptions { Threshold = threshold, MaxSide = maxSide }, "t", new StageClock()).Faces;
            Assert.True(expected.Count > 0, $"{imagePath}: the reference found no face");
            Assert.Equal(expected.Count, actual.Count);
            double worstBox = 0, worstScore = 0, worstPoint = 0;
            foreach (var e in expected)
            {
                // Pair by position, not order: near-equal scores may sort either way.
                var a = actual.MinBy(f => Distance(f.Box, e.Box))!;
                worstBox = Math.Max(worstBox, Distance(a.Box, e.Box));
                worstScore = Math.Max(worstScore, Math.Abs(a.Score - e.Score));
                for (var k = 0; k < e.Landmarks.Length; k++)
                    worstPoint = Math.Max(worstPoint, Distance(a.Landmarks[k], e.Landmarks[k]));
            }
            output.WriteLine($"{imagePath} maxSide {maxSide}: {actual.Count} faces; max |Δ| box {worstBox:0.0000} px, score {worstScore:0.000000}, landmark {worstPoint:0.0000} px");
            Assert.True(worstBox < 0.5, $"{imagePath}: box differs by {worstBox} px");
            Assert.True(worstPoint < 0.5, $"{imagePath}: landmark differs by {worstPoint} px");
            Assert.True(worstScore < 1e-3, $"{imagePath}: score differs by {worstScore}");
        }
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    /// <summary>The largest coordinate difference.</summary>
    private static double Distance(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}
