using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Engine.Families;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Ingestion;

/// <summary>
/// Issue 13, item 7: the accuracy regression gate. Real models on the embedded golden set: YuNet-n finds every
/// labelled face, BlazeFace front (a 128-px selfie model) misses most faces of the group photos.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AccuracyGateTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly InstanceSet _instances = new(azurite);

    private LifecycleInstance Instance { get; set; } = null!;

    public Task InitializeAsync()
    {
        // The service's default margin, not the lifecycle tests' (LifecycleInstance).
        Instance = _instances.Add(settings: new Dictionary<string, string?> { ["MogFace:AccuracyMargin"] = "0.02" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _instances.DisposeAsync();

    private Task<IngestionOutcome> Ingest(string name, byte[] bytes, ModelManifest? manifest = null) =>
        Instance.Ingestion.IngestAsync(name, new MemoryStream(bytes), manifest, CancellationToken.None);

    private Task<VersionRecord?> RecordOf(IngestionOutcome outcome) =>
        Instance.Registry.GetVersionAsync(outcome.Version!, CancellationToken.None);

    private static ModelManifest FrontManifest(string? gate) => TestWeights.ManifestFor(RepoPaths.BlazeFaceFront)! with { Gate = gate };

    [Fact]
    public void The_golden_set_is_the_licence_clean_labelled_photos()
    {
        var names = GoldenSet.Images.Select(i => i.RelativePath).Order().ToList();

        Assert.Equal(["astronaut.png", "grace_hopper_512x512.jpg", "sample1.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg"], names);
        Assert.DoesNotContain(typeof(GoldenSet).Assembly.GetManifestResourceNames(), n => n.Contains("IceBlock", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(18, GoldenSet.Images.Sum(i => i.Faces.Count));
    }

    [Fact]
    public async Task The_first_model_is_accepted_with_its_AP_and_nothing_to_compare_with()
    {
        var outcome = await Ingest("yunet-n.onnx", TestWeights.YuNet, TestWeights.ManifestFor(RepoPaths.YuNet));

        Assert.True(outcome.Accepted, outcome.Reason);
        var validation = (await RecordOf(outcome))!.Validation!;
        Assert.InRange(validation.GoldenAP!.Value, 0.99, 1.0);
        Assert.Null(validation.ComparedWith);
        Assert.Null(validation.ComparedAP);
        Assert.Null(validation.Warning);
    }

    [Fact]
    public async Task A_clearly_worse_candidate_is_rejected_with_both_APs_in_the_record_and_the_pointer_stays()
    {
        var active = await Ingest("yunet-n.onnx", TestWeights.YuNet, TestWeights.ManifestFor(RepoPaths.YuNet));
        var before = await Instance.Registry.ReadPointerAsync(null, CancellationToken.None);

        var outcome = await Ingest("front.onnx", TestWeights.Front, FrontManifest(gate: null));

        Assert.False(outcome.Accepted);
        Assert.Equal(RejectionCodes.AccuracyRegression, outcome.Code);
        var rejection = await Instance.Registry.GetRejectionAsync("front.onnx", CancellationToken.None);
        Assert.NotNull(rejection);
        Assert.Equal(RejectionCodes.AccuracyRegression, rejection.Code);
        Assert.Equal(active.Version, rejection.ComparedWith);
        var activeAp = (await RecordOf(active))!.Validation!.GoldenAP!.Value;
        Assert.Equal(activeAp, rejection.ComparedAP);
        Assert.InRange(rejection.GoldenAP!.Value, 0, activeAp - 0.2);
        // Both numbers in the reason too, as the console and the logs show it.
        Assert.Contains(rejection.GoldenAP.Value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), rejection.Reason);
        Assert.Contains(activeAp.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), rejection.Reason);
        Assert.Contains("\"gate\": \"warn\"", rejection.Reason);
        Assert.Equal(before.ETag, (await Instance.Registry.ReadPointerAsync(null, CancellationToken.None)).ETag);
        Assert.Single((await Instance.Admin.ListAsync(CancellationToken.None)).Versions);
    }

    [Fact]
    public async Task With_gate_warn_the_worse_candidate_is_accepted_and_its_version_keeps_the_warning()
    {
        var active = await Ingest("yunet-n.onnx", TestWeights.YuNet, TestWeights.ManifestFor(RepoPaths.YuNet));

        var outcome = await Ingest("front.onnx", TestWeights.Front, FrontManifest(ModelManifest.GateWarn));

        Assert.True(outcome.Accepted, outcome.Reason);
        var validation = (await RecordOf(outcome))!.Validation!;
        Assert.Equal(active.Version, validation.ComparedWith);
        Assert.Equal((await RecordOf(active))!.Validation!.GoldenAP, validation.ComparedAP);
        Assert.True(validation.GoldenAP < validation.ComparedAP - 0.2);
        Assert.Contains("Accuracy regression", validation.Warning);
        Assert.Equal(outcome.Version, (await Instance.Registry.GetPointerAsync(CancellationToken.None))!.Active);
    }

    [Fact]
    public async Task Swapping_families_both_ways_passes_the_gate()
    {
        // The labels keep BlazeFace's box style; matching at IoU 0.4 keeps YuNet's taller boxes from failing the swap.
        var back = await Ingest("blazeface-back.onnx", TestWeights.Back, TestWeights.ManifestFor(RepoPaths.BlazeFaceBack));
        var yunet = await Ingest("yunet-n.onnx", TestWeights.YuNet, TestWeights.ManifestFor(RepoPaths.YuNet));
        var backAgain = await Ingest("blazeface-back-2.onnx", TestWeights.BackVariant("2"), TestWeights.ManifestFor(RepoPaths.BlazeFaceBack));

        Assert.True(back.Accepted, back.Reason);
        Assert.True(yunet.Accepted, yunet.Reason);
        Assert.True(backAgain.Accepted, backAgain.Reason);
        var record = (await RecordOf(yunet))!.Validation!;
        Assert.Equal(back.Version, record.ComparedWith);
        Assert.Null(record.Warning);
    }

    [Fact]
    public async Task An_unknown_gate_value_is_a_bad_manifest()
    {
        var outcome = await Ingest("front.onnx", TestWeights.Front, FrontManifest("maybe"));

        Assert.Equal(RejectionCodes.BadManifest, outcome.Code);
        Assert.Contains("maybe", outcome.Reason);
    }
}
