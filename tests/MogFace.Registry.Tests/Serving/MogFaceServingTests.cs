using MogFace.Engine.Tests.Families.MogFaceLarge;
using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Tests.Serving;

/// <summary>A MogFace-format model through the service's own path: upload → version → reconciler → lease → detect.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MogFaceServingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LifecycleInstance _instance = null!;

    public async Task InitializeAsync()
    {
        _instance = LifecycleInstance.Create(azurite, AzuriteFixture.NewContainerSuffix());
        await _instance.StartAsync();
    }

    public async Task DisposeAsync() => await _instance.DisposeAsync();

    [Fact]
    public async Task An_uploaded_mogface_model_is_served_and_answers_in_original_pixels()
    {
        var bytes = File.ReadAllBytes(MogFaceTestFiles.Model("bright"));
        // The test network has no trained weights: it cannot pass the probe-face gate, so its manifest opts out.
        var manifest = new ModelManifest { Family = "mogface", QualityGate = false };
        var outcome = await _instance.Ingestion.IngestAsync("mogface-test.onnx", new MemoryStream(bytes), manifest, CancellationToken.None);
        Assert.True(outcome.Accepted, outcome.Reason);

        await _instance.Host.WaitForAsync(s => s.ActiveVersion == outcome.Version, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        using var lease = _instance.Provider.TryAcquire(null)!;
        Assert.Equal(outcome.Version, lease.Model.Version);
        Assert.Equal("mogface", lease.Model.Family.Name);

        // Same white block as the pipeline test: one box at (34.34, 11.62)–(55.10, 21.50).
        var face = Assert.Single(lease.Model.DetectFaces(MogFaceImages.BlackWithWhite(200, 160, 41, 21, 44, 24), DetectionOptions.Default, new StageClock()));
        Assert.Equal([34.34f, 11.62f, 55.10f, 21.50f], face.Box.Select(v => MathF.Round(v, 2)));
    }

    [Fact]
    public async Task Without_opting_out_the_untrained_mogface_model_fails_the_quality_gate_and_nothing_moves()
    {
        var bytes = File.ReadAllBytes(MogFaceTestFiles.Model("random"));
        var outcome = await _instance.Ingestion.IngestAsync("mogface-random.onnx", new MemoryStream(bytes), null, CancellationToken.None);
        Assert.False(outcome.Accepted);
        Assert.Equal(RejectionCodes.QualityGate, outcome.Code);
        Assert.Null((await _instance.Registry.GetPointerAsync(CancellationToken.None))?.Active);
    }
}
