using MogFace.Engine.Inference;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Ingestion;

/// <summary>Uploads become versions, or rejections with a reason; the pointer moves only for good models.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class IngestionTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LifecycleInstance _instance = null!;

    public Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix(),
            settings: new Dictionary<string, string?> { ["MogFace:MaxModelBytes"] = "1000000" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    private Task<IngestionOutcome> Ingest(string name, byte[] bytes, ModelManifest? manifest = null) =>
        _instance.Ingestion.IngestAsync(name, new MemoryStream(bytes), manifest, CancellationToken.None);

    [Fact]
    public async Task An_upload_becomes_an_immutable_version_and_the_active_one()
    {
        var outcome = await Ingest("blazeface-back.onnx", TestWeights.Back, TestWeights.ManifestFor(RepoPaths.BlazeFaceBack));

        Assert.True(outcome.Accepted, outcome.Reason);
        Assert.False(outcome.AlreadyRegistered);
        Assert.Equal("blazeface-back-427cbbe0fc41", outcome.Version);
        var record = await _instance.Registry.GetVersionAsync(outcome.Version!, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal("blazeface", record.Family);
        Assert.Equal(ModelVersion.Sha256Hex(TestWeights.Back), record.Sha256);
        Assert.Equal(TestWeights.Back.Length, record.Size);
        Assert.True(record.Validation!.Passed);
        Assert.True(record.Validation.QualityGateRun);
        Assert.InRange(record.Validation.ProbeIoU!.Value, ProbeImage.MinIoU, 1);
        Assert.Equal(256, record.Manifest!.InputSize);

        var pointer = await _instance.Registry.GetPointerAsync(CancellationToken.None);
        Assert.Equal(outcome.Version, pointer!.Active);
        Assert.Equal("upload weights/blazeface-back.onnx", pointer.Reason);
        var blobs = await ListModelsAsync();
        Assert.Contains($"versions/{outcome.Version}/model.onnx", blobs);
        Assert.Contains($"versions/{outcome.Version}/manifest.json", blobs);
    }

    [Fact]
    public async Task YuNet_passes_the_quality_gate_with_or_without_its_manifest()
    {
        // The default model: the family comes from the manifest, or from the signature when there is none.
        var named = await Ingest("yunet-n.onnx", TestWeights.YuNet, TestWeights.ManifestFor(RepoPaths.YuNet));
        var detected = await Ingest("yunet-bare.onnx", OnnxBytes.WithDocString(TestWeights.YuNet, "no manifest"));

        foreach (var outcome in new[] { named, detected })
        {
            Assert.True(outcome.Accepted, outcome.Reason);
            var record = await _instance.Registry.GetVersionAsync(outcome.Version!, CancellationToken.None);
            Assert.Equal("yunet", record!.Family);
            Assert.True(record.Validation!.QualityGateRun);
            Assert.InRange(record.Validation.ProbeIoU!.Value, ProbeImage.MinIoU, 1);
            Assert.Equal(1, record.Validation.ProbeFaces);
        }
        Assert.Equal("yunet-n-104ee26c71d5", named.Version);
        Assert.Equal(1280, (await _instance.Registry.GetVersionAsync(named.Version!, CancellationToken.None))!.Manifest!.MaxSide);
    }

    [Fact]
    public async Task The_same_bytes_again_are_the_same_version_and_change_nothing()
    {
        var first = await Ingest("blazeface-front.onnx", TestWeights.Front);
        var pointer = await _instance.Registry.ReadPointerAsync(null, CancellationToken.None);

        var again = await Ingest("blazeface-front.onnx", TestWeights.Front);

        Assert.True(again.Accepted);
        Assert.True(again.AlreadyRegistered);
        Assert.Equal(first.Version, again.Version);
        Assert.Equal(pointer.ETag, (await _instance.Registry.ReadPointerAsync(null, CancellationToken.None)).ETag);
        Assert.Single((await _instance.Admin.ListAsync(CancellationToken.None)).Versions);
    }

    [Fact]
    public async Task A_newer_upload_becomes_active_and_pushes_the_old_one_into_the_history()
    {
        var v1 = await Ingest("blazeface-front.onnx", TestWeights.Front);
        var v2 = await Ingest("blazeface-back.onnx", TestWeights.Back);

        var pointer = await _instance.Registry.GetPointerAsync(CancellationToken.None);
        Assert.Equal(v2.Version, pointer!.Active);
        Assert.Equal([v1.Version!], pointer.Previous);
    }

    [Fact]
    public async Task Uploads_ingested_at_the_same_time_are_all_kept()
    {
        var uploads = new[] { ("a.onnx", TestWeights.Back), ("b.onnx", TestWeights.Front), ("c.onnx", TestWeights.BackVariant("c")) };

        var outcomes = await Task.WhenAll(uploads.Select(u => Task.Run(() => Ingest(u.Item1, u.Item2))));

        Assert.All(outcomes, o => Assert.True(o.Accepted, o.Reason));
        var pointer = await _instance.Registry.GetPointerAsync(CancellationToken.None);
        var known = pointer!.Previous.Append(pointer.Active!).ToHashSet();
        Assert.All(outcomes, o => Assert.Contains(o.Version!, known));
        Assert.Equal(3, (await _instance.Admin.ListAsync(CancellationToken.None)).Versions.Count);
    }

    [Fact]
    public async Task A_blob_is_ingested_with_its_manifest_from_the_weights_container()
    {
        var weights = _instance.Registry.Weights;
        await weights.CreateIfNotExistsAsync();
        await weights.GetBlobClient("custom.json").UploadAsync(BinaryData.FromString("""{"family":"blazeface","scoreThreshold":0.6,"qualityGate":false}"""));
        await weights.GetBlobClient("custom.onnx").UploadAsync(BinaryData.FromBytes(TestWeights.Front));

        var outcome = await _instance.Ingestion.IngestBlobAsync("custom.onnx", CancellationToken.None);

        Assert.True(outcome.Accepted, outcome.Reason);
        var record = await _instance.Registry.GetVersionAsync(outcome.Version!, CancellationToken.None);
        Assert.Equal(0.6f, record!.Manifest!.ScoreThreshold);
        Assert.False(record.Validation!.QualityGateRun);
        Assert.Equal($"weights-{_instance.Registry.Weights.Name["weights-".Length..]}/custom.onnx", record.SourceBlob);

        var manifestOutcome = await _instance.Ingestion.IngestBlobAsync("custom.json", CancellationToken.None);
        Assert.Equal(RejectionCodes.NotAModel, manifestOutcome.Code);
        var missing = await _instance.Ingestion.IngestBlobAsync("nothing.onnx", CancellationToken.None);
        Assert.Equal(RejectionCodes.NotFound, missing.Code);
    }

    public static TheoryData<string, string> BadModels => new()
    {
        { "truncated", RejectionCodes.Unloadable },
        { "random-bytes", RejectionCodes.Unloadable },
        { "wrong-signature", RejectionCodes.UnknownSignature },
        { "nan-outputs", RejectionCodes.NonFinite },
        { "random-weights", RejectionCodes.QualityGate },
        { "oversized", RejectionCodes.TooLarge },
        { "empty", RejectionCodes.Empty },
    };

    internal static byte[] BadModel(string kind)
    {
        var random = new Random(42);
        return kind switch
        {
            "truncated" => TestWeights.Front[..(TestWeights.Front.Length / 2)],
            "random-bytes" => RandomBytes(random, 50_000),
            "wrong-signature" => OnnxBytes.IdentityModel(),
            "nan-outputs" => OnnxBytes.WithWeights(TestWeights.Front, () => float.NaN),
            "random-weights" => OnnxBytes.WithWeights(TestWeights.Front, () => (float)(random.NextDouble() - 0.5) * 0.2f),
            "oversized" => RandomBytes(random, 1_000_001),
            "empty" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(BadModels))]
    public async Task A_bad_model_is_rejected_with_its_reason_and_the_pointer_is_untouched(string kind, string code)
    {
        var good = await Ingest("blazeface-front.onnx", TestWeights.Front);
        var before = await _instance.Registry.ReadPointerAsync(null, CancellationToken.None);

        var outcome = await Ingest($"{kind}.onnx", BadModel(kind));

        Assert.False(outcome.Accepted);
        Assert.Equal(code, outcome.Code);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Reason));
        var after = await _instance.Registry.ReadPointerAsync(null, CancellationToken.None);
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(good.Version, after.Document!.Active);
        var rejection = await _instance.Registry.GetRejectionAsync($"{kind}.onnx", CancellationToken.None);
        Assert.NotNull(rejection);
        Assert.Equal(code, rejection.Code);
        Assert.Equal(outcome.Reason, rejection.Reason);
        Assert.Single((await _instance.Admin.ListAsync(CancellationToken.None)).Versions);
    }

    [Fact]
    public async Task The_quality_gate_can_be_switched_off_per_upload()
    {
        var randomWeights = BadModel("random-weights");

        var outcome = await Ingest("random-weights.onnx", randomWeights, new ModelManifest { QualityGate = false });

        Assert.True(outcome.Accepted, outcome.Reason);
    }

    [Fact]
    public async Task A_good_upload_clears_the_rejection_of_its_name()
    {
        await Ingest("model.onnx", BadModel("truncated"));
        Assert.NotNull(await _instance.Registry.GetRejectionAsync("model.onnx", CancellationToken.None));

        Assert.True((await Ingest("model.onnx", TestWeights.Front)).Accepted);
        Assert.Null(await _instance.Registry.GetRejectionAsync("model.onnx", CancellationToken.None));
    }

    [Fact]
    public void Both_real_models_find_the_probe_face()
    {
        // The gate must let the shipped models through: both BlazeFace variants find Grace Hopper's face.
        var sessions = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        foreach (var bytes in new[] { TestWeights.Front, TestWeights.Back })
        {
            using var model = FaceModel.Load(sessions, bytes, null, "probe", cpuOnly: true);
            var faces = model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock());
            Assert.InRange(ProbeImage.BestIoU(faces), ProbeImage.MinIoU, 1);
        }
    }

    private async Task<List<string>> ListModelsAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _instance.Registry.Models.GetBlobsAsync())
            names.Add(blob.Name);
        return names;
    }
}
