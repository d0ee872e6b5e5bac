using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Ingestion;

/// <summary>
/// Issue 12, cases 4 and 9: models built to get past validation. One that ignores its input and always reports
/// the probe's face, one that is finite on ordinary images and NaN on a white one, one whose declared input
/// overflows: each is rejected with a record, and the request path holds even when a bad model serves.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostileModelTests(AzuriteFixture azurite) : OneInstanceTests(azurite)
{
    [Theory]
    [InlineData(AdversarialModels.AlwaysFace, RejectionCodes.QualityGate)]
    [InlineData(AdversarialModels.NanOnBright, RejectionCodes.NonFinite)]
    [InlineData(AdversarialModels.HugeInput, RejectionCodes.UnknownSignature)]
    public async Task A_hostile_model_is_rejected_with_a_record(string variant, string code)
    {
        var outcome = await Instance.Ingestion.IngestAsync($"{variant}.onnx", new MemoryStream(AdversarialModels.Get(variant)), null, CancellationToken.None);

        Assert.False(outcome.Accepted);
        Assert.Equal(code, outcome.Code);
        Assert.Equal(code, (await Instance.Registry.GetRejectionAsync($"{variant}.onnx", CancellationToken.None))!.Code);
        Assert.Null(await Instance.Registry.GetPointerAsync(CancellationToken.None));
    }

    [Fact]
    public void A_model_that_outputs_NaN_boxes_never_puts_them_in_an_answer()
    {
        // Loaded directly, as if it had got past validation: the decoder must drop what is not finite.
        using var model = FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }),
            AdversarialModels.Get(AdversarialModels.NanOnBright), null, "nan", cpuOnly: true);
        var white = new RgbPixels(256, 256, Enumerable.Repeat((byte)255, 256 * 256 * 3).ToArray());

        var faces = model.DetectFaces(white, DetectionOptions.Default, new StageClock());

        Assert.All(faces, face => Assert.All(face.Box.Concat(face.Landmarks.SelectMany(p => p)).Append(face.Score), v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void The_real_models_find_no_face_in_face_free_images()
    {
        // What the gate's negative probes require of a good model, checked on a real face-free photo as well.
        using var ice = ImageIntake.Decode(File.ReadAllBytes(RepoPaths.Image("640px-IceBlockNearJoekullsarlon.jpg")), ImageLimits.Default);
        var sessions = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        foreach (var bytes in new[] { TestWeights.Front, TestWeights.Back })
        {
            using var model = FaceModel.Load(sessions, bytes, null, "real", cpuOnly: true);
            Assert.Empty(model.DetectFaces(RgbPixels.From(ice), DetectionOptions.Default, new StageClock()));
        }
    }
}
