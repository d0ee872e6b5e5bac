using Microsoft.ML.OnnxRuntime;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Families.MogFaceLarge;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

/// <summary>End to end through the service's loading path (FaceModel.Load) with models built by make_test_model.py.</summary>
public sealed class MogFacePipelineTests
{
    private static FaceModel Load(string variant, ModelManifest? manifest = null) =>
        FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }),
            File.ReadAllBytes(MogFaceTestFiles.Model(variant)), manifest, $"mogface-test-{variant}", cpuOnly: true);

    [Fact]
    public void BrightModelFindsTheWhitePixelAtNativeSize()
    {
        using var model = Load("bright");
        Assert.Equal("mogface", model.Family.Name);
        // White 3×3 block around (42, 22) = stride-4 anchor centre of cell (i 5, j 10); no other centre is covered.
        var image = MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24);
        var face = Assert.Single(model.DetectFaces(image, DetectionOptions.Default, new StageClock()));
        // Deltas (0.25, −0.5, ln 2, 0) on anchor (42, 22, 10.88): cx = 44.72, cy = 16.56, w = 21.76, h = 10.88
        // → x1 = 34.34, y1 = 11.62, x2 = 55.10, y2 = 21.50 (input = image pixels: not resized, not clipped).
        Assert.Equal([34.34f, 11.62f, 55.10f, 21.50f], face.Box.Select(v => MathF.Round(v, 3)));
        Assert.True(face.Score > 0.99f && face.Score <= 1f);
        Assert.Empty(face.Landmarks);
    }

    [Fact]
    public void DownscaledImageGivesBoxesInOriginalPixelsAndUnchangedScores()
    {
        using var model = Load("bright");
        // 2000×1600: long side above 1500 → factor 0.5 (1000×800, OpenCV's 2×2 means). White x 80..89, y 40..49
        // becomes white x 40..44, y 20..24, covering only the centre (42, 22).
        var image = MogFaceImages.BlackWithWhite(2000, 1600, 80, 40, 90, 50);
        var face = Assert.Single(model.DetectFaces(image, DetectionOptions.Default, new StageClock()));
        // The native-size box above divided by 0.5.
        Assert.Equal([68.68f, 23.24f, 110.20f, 43.00f], face.Box.Select(v => MathF.Round(v, 2)));
        // ModelScope would report score / 0.5 here (> 1): the score is the network's.
        Assert.True(face.Score > 0.99f && face.Score <= 1f, $"score {face.Score}");
    }

    [Fact]
    public void ClipBoxesIsAnOption()
    {
        // The box of a white pixel at (2, 2) starts left of and above the image.
        var image = MogFaceImages.BlackWithWhite(64, 48, 1, 1, 4, 4);
        using (var model = Load("bright"))
            Assert.True(Assert.Single(model.DetectFaces(image, DetectionOptions.Default, new StageClock())).Box[1] < 0);
        using (var clipped = Load("bright", new ModelManifest { ClipBoxes = true }))
        {
            var box = Assert.Single(clipped.DetectFaces(image, DetectionOptions.Default, new StageClock())).Box;
            Assert.True(box.All(v => v >= 0) && box[2] <= 63 && box[3] <= 47);
        }
    }

    [Fact]
    public void RandomModelRunsOnOddSizesInServingAndEvaluationModes()
    {
        using var model = Load("random");
        Assert.Null(model.Pipeline.SmokeTest());
        var image = MogFaceImages.BlackWithWhite(161, 119, 30, 30, 90, 80);
        var serving = model.DetectFaces(image, DetectionOptions.Default, new StageClock());
        var evaluation = model.DetectFaces(image, new DetectionOptions { Evaluation = true }, new StageClock());
        Assert.True(evaluation.Count >= serving.Count);
        Assert.All(evaluation, f => Assert.True(f.Score > 0.01f && f.Box.All(float.IsFinite)));
        Assert.All(serving, f => Assert.True(f.Score > 0.82f));
        Assert.True(evaluation.Count <= 750 || evaluation[749].Score == evaluation[^1].Score);
        var limited = model.DetectFaces(image, new DetectionOptions { Evaluation = true, MaxFaces = 3 }, new StageClock());
        Assert.True(limited.Count >= 3 || limited.Count == evaluation.Count);
    }

    [Fact]
    public void ASliverThatWouldShrinkToNothingRunsAtNativeSize()
    {
        // 5000×1: the reference policy's factor 0.2 gives a height of round(0.2) = 0.
        using var model = Load("bright");
        Assert.Empty(model.DetectFaces(MogFaceImages.BlackWithWhite(5000, 1, 0, 0, 1, 1), DetectionOptions.Default, new StageClock()));
    }

    [Fact]
    public void NanModelFailsTheSmokeTest()
    {
        using var model = Load("nan");
        Assert.Contains("non-finite", model.Pipeline.SmokeTest());
    }

    [Fact]
    public void ManifestDefaultsAreValidated()
    {
        var error = Assert.Throws<ModelFormatException>(() => Load("random", new ModelManifest { Resize = "letterbox" }));
        Assert.Contains("resize policy", error.Message);
    }

    [Fact]
    public void AccuracyModeRunsEveryPassWithinBudgetAndVotes()
    {
        using var model = Load("bright");
        var image = MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24);
        var pipeline = (MogFacePipeline)model.Pipeline;
        var faces = pipeline.DetectMultiScale(image, new DetectionOptions { Tta = true }, new StageClock(), out var passes);
        Assert.Equal(MogFaceTtaPlan.For(200, 160, MogFaceTtaOptions.Default).Count, passes.Count);
        Assert.Contains(passes, p => p.Flip);
        Assert.NotEmpty(faces);
        // The single-scale box (34.34, 11.62, 55.10, 21.50) survives voting (rounded, possibly merged).
        Assert.Contains(faces, f => Math.Abs(f.X1 - 34.34f) < 3 && Math.Abs(f.Y2 - 21.5f) < 3);
        // Through the public entry point too.
        Assert.NotEmpty(model.DetectFaces(image, new DetectionOptions { Tta = true }, new StageClock()));
    }

    [Fact]
    public void AccuracyModeStopsAtTheTimeBudget()
    {
        using var session = new InferenceSession(MogFaceTestFiles.Model("bright"));
        Assert.Null(MogFaceFamily.Bind(ModelSignature.From(session), out var binding));
        // Every clock read advances one second: the check before pass 2 sees 1 s, before pass 3 2 s, before pass 4 3 s.
        using var pipeline = new MogFacePipeline(session, binding, ModelManifest.Empty, new SteppingTimeProvider())
        {
            Tta = MogFaceTtaOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2.5) },
        };
        var image = MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24);
        pipeline.DetectMultiScale(image, DetectionOptions.Default, new StageClock(), out var passes);
        Assert.Equal(3, passes.Count);

        using var none = new MogFacePipeline(session, binding, ModelManifest.Empty) { Tta = MogFaceTtaOptions.Default with { TimeBudget = TimeSpan.Zero } };
        none.DetectMultiScale(image, DetectionOptions.Default, new StageClock(), out passes);
        Assert.Equal([new MogFaceTtaPass(1.0, false)], passes);
    }

    [Fact]
    public void AccuracyModeSkipsPassesAboveThePixelBudget()
    {
        // 200×160 = 32,000 px: passes above 1× (2, 1.5, 2.6, 1.25, 1.75, 2.25) exceed 40,000 px and are skipped.
        using var model = Load("bright", ModelManifest.Parse("""{ "tta": true, "ttaMaxPassPixels": 40000 }"""));
        var pipeline = (MogFacePipeline)model.Pipeline;
        Assert.True(pipeline.Tta.Enabled);
        var image = MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24);
        pipeline.DetectMultiScale(image, DetectionOptions.Default, new StageClock(), out var passes);
        Assert.Equal([1.0, 1.0, 0.5, 0.75, 0.25], passes.Select(p => p.Shrink));
        Assert.NotEmpty(model.DetectFaces(image, DetectionOptions.Default, new StageClock())); // manifest "tta": on for every request
    }

    [Fact]
    public void ConcurrentDetectsAgree()
    {
        using var model = Load("random");
        var image = MogFaceImages.BlackWithWhite(97, 131, 10, 10, 60, 70);
        var expected = model.DetectFaces(image, new DetectionOptions { Evaluation = true }, new StageClock());
        Parallel.For(0, 8, _ =>
        {
            var faces = model.DetectFaces(image, new DetectionOptions { Evaluation = true }, new StageClock());
            Assert.Equal(expected.Select(f => f.Box), faces.Select(f => f.Box));
        });
    }

    private sealed class SteppingTimeProvider : TimeProvider
    {
        private long _ms;
        public override long TimestampFrequency => 1000;
        public override long GetTimestamp() => Interlocked.Add(ref _ms, 1000);
    }
}
