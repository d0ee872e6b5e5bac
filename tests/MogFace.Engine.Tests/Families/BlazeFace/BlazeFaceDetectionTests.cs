using MogFace.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Evaluation;
using MogFace.Engine.Families;
using MogFace.Engine.Families.BlazeFace;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Tests.Families.BlazeFace;

/// <summary>The default model on real photos against hand-checked labels.</summary>
public sealed class BlazeFaceDetectionTests : IClassFixture<BlazeFaceDetectionTests.Models>
{
    public sealed class Models : IDisposable
    {
        public FaceModel Back { get; } = ModelFiles.Load(RepoPaths.BlazeFaceBack);
        public FaceModel Front { get; } = ModelFiles.Load(RepoPaths.BlazeFaceFront);
        public void Dispose() { Back.Dispose(); Front.Dispose(); }
    }

    private readonly Models _models;
    public BlazeFaceDetectionTests(Models models) => _models = models;

    private static IReadOnlyList<Face> Detect(FaceModel model, string file)
    {
        using var image = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image(file)), ImageLimits.Default);
        return model.Detect(image, DetectionOptions.Default, "test", new StageClock()).Faces;
    }

    public static TheoryData<string> Photos => new(LabelledPhotos.ByName.Keys);

    [Theory]
    [MemberData(nameof(Photos))]
    public void Default_model_finds_every_labelled_face_and_nothing_else(string file)
    {
        var truth = LabelledPhotos.Faces(file);
        var faces = Detect(_models.Back, file);
        foreach (var label in truth)
        {
            var best = faces.Select(f => IoU(f.Box, label.Box)).DefaultIfEmpty(0).Max();
            Assert.True(best >= 0.5, $"{file}: label {string.Join(",", label.Box)} best IoU {best:0.00}");
        }
        Assert.Equal(truth.Count, faces.Count); // no extra boxes above the default threshold
    }

    [Fact]
    public void Faces_carry_six_landmarks_inside_their_box_and_scores_in_range()
    {
        foreach (var face in Detect(_models.Back, "sample5.jpg"))
        {
            Assert.InRange(face.Score, 0.5f, 1f);
            Assert.Equal(6, face.Landmarks.Length);
            // Eyes and nose lie inside the face box (ears may stick out).
            foreach (var p in face.Landmarks.Take(3))
            {
                Assert.InRange(p[0], face.Box[0], face.Box[2]);
                Assert.InRange(p[1], face.Box[1], face.Box[3]);
            }
        }
    }

    [Fact]
    public void Front_model_finds_the_close_up_portrait()
    {
        var faces = Detect(_models.Front, "grace_hopper_512x512.jpg");
        var label = LabelledPhotos.Faces("grace_hopper_512x512.jpg")[0];
        Assert.True(faces.Max(f => IoU(f.Box, label.Box)) >= 0.5);
    }

    [Theory]
    [InlineData(RotateMode.Rotate90)]
    [InlineData(RotateMode.Rotate270)]
    public void Boxes_follow_the_image_when_it_is_padded_the_other_way(RotateMode rotate)
    {
        // A landscape group photo turned portrait: the letterbox pads left/right instead of top/bottom.
        using var image = Image.Load<Rgb24>(RepoPaths.Image("sample6.jpg"));
        var upright = _models.Back.Detect(image, DetectionOptions.Default, "t", new StageClock()).Faces;
        image.Mutate(x => x.Rotate(rotate));
        var rotated = _models.Back.Detect(image, DetectionOptions.Default, "t", new StageClock()).Faces;
        Assert.Equal(upright.Count, rotated.Count);
    }

    [Fact]
    public void Threshold_and_max_faces_options_apply()
    {
        using var image = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image("sample5.jpg")), ImageLimits.Default);
        Assert.Equal(2, _models.Back.Detect(image, new DetectionOptions { MaxFaces = 2 }, "t", new StageClock()).Faces.Count);
        Assert.Empty(_models.Back.Detect(image, new DetectionOptions { Threshold = 0.999f }, "t", new StageClock()).Faces);
    }

    [Fact]
    public void Result_reports_model_version_image_size_and_stage_timings()
    {
        using var image = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image("sample1.jpg")), ImageLimits.Default);
        var result = _models.Back.Detect(image, DetectionOptions.Default, "instance-1", new StageClock());
        Assert.StartsWith("blazeface-back-427cbbe0fc41", result.ModelVersion);
        Assert.Equal("instance-1", result.Instance);
        Assert.Equal(new ImageSize(1920, 1280), result.Image);
        Assert.True(result.TimingsMs.Inference > 0 && result.TimingsMs.Total >= result.TimingsMs.Inference);
    }

    [Fact]
    public void Family_is_detected_from_the_signature_and_smoke_test_passes()
    {
        Assert.Equal("blazeface", _models.Back.Family.Name);
        Assert.Equal("CPU", _models.Back.Provider);
        Assert.Null(_models.Back.Pipeline.SmokeTest());
        var bytes = File.ReadAllBytes(RepoPaths.BlazeFaceFront);
        using var detected = FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), bytes, null, "x");
        Assert.IsType<BlazeFaceFamily>(detected.Family);
    }

    [Fact]
    public void Auto_provider_falls_back_to_cpu_without_cuda_and_required_cuda_fails_clearly()
    {
        var bytes = File.ReadAllBytes(RepoPaths.BlazeFaceFront);
        using var auto = FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Auto }), bytes, null, "x");
        Assert.Equal("CPU", auto.Provider);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cuda }), bytes, null, "x"));
        Assert.Contains("CUDA", ex.Message);
    }

    [Fact]
    public void A_manifest_naming_an_unknown_family_is_refused()
    {
        var bytes = File.ReadAllBytes(RepoPaths.BlazeFaceFront);
        var ex = Assert.Throws<ModelFormatException>(() => FaceModel.Load(
            new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), bytes, new ModelManifest { Family = "yolo" }, "x"));
        Assert.Contains("yolo", ex.Message);
    }

    [Fact]
    public void Bytes_that_are_not_onnx_are_refused_as_a_model_format_problem()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FaceModel.Load(
            new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), "not a model"u8.ToArray(), null, "x"));
        Assert.Contains("ONNX Runtime", ex.Message);
    }

    [Fact]
    public void Evaluation_on_the_labelled_photos_reaches_full_recall()
    {
        var ap = new AveragePrecision();
        foreach (var (name, item) in LabelledPhotos.ByName)
        {
            using var image = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image(name)), ImageLimits.Default);
            ap.Add(item.Faces, _models.Back.DetectFaces(RgbPixels.From(image), new DetectionOptions { Evaluation = true }, new StageClock()));
        }
        var result = ap.Compute();
        Assert.Equal(1.0, result.Recall);
        Assert.True(result.AveragePrecision > 0.95, $"AP {result.AveragePrecision}");
    }

    private static float IoU(float[] a, float[] b) => NonMaxSuppression.IoU(
        new Candidate(a[0], a[1], a[2], a[3], 0, []), new Candidate(b[0], b[1], b[2], b[3], 0, []));
}
