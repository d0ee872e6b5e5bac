using Microsoft.Extensions.DependencyInjection;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, cases 9 and 13 over real HTTP and the real container scan: hostile models and blob names are
/// rejected with a record and never take the admin route or the scan down with them. A server of its own whose
/// background scan runs once at start (hour-long poll interval), so each test drives the scan itself.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class HostileUploadTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MogFace:PollInterval"] = "01:00:00" };

    protected override Azure.Core.Pipeline.HttpPipelinePolicy Policy => RequestFaults.RefusedName(RefusedName);

    private const string RefusedName = "escape.onnx";

    [Fact]
    public async Task A_model_declaring_a_30000_square_input_is_a_422_rejection_with_a_record()
    {
        using var admin = Admin();
        using var upload = await ServerInstance.UploadAsync(admin, AdversarialModels.Get(AdversarialModels.HugeInput), "huge");

        var problem = await TestHttp.AssertProblemAsync(upload, 422, "rejected-weights");
        Assert.Equal("unknown-signature", problem.GetProperty("reason").GetString());
        using var list = await admin.GetAsync("api/models");
        var rejected = (await TestHttp.JsonAsync(list)).GetProperty("rejected").EnumerateArray().Single();
        Assert.Equal("huge", rejected.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Hostile_blobs_in_the_weights_container_do_not_stop_the_scan_of_the_others()
    {
        await Server.Weights.CreateIfNotExistsAsync();
        await Server.Weights.GetBlobClient("huge.onnx").UploadAsync(BinaryData.FromBytes(AdversarialModels.Get(AdversarialModels.HugeInput)));
        // Stored past the server's client, which (like storage for "../escape.onnx") refuses the name.
        await Fixture.Azurite.CreateClient().GetBlobContainerClient(Server.Weights.Name).GetBlobClient(RefusedName)
            .UploadAsync(BinaryData.FromBytes(RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack)));
        await Server.Weights.GetBlobClient("zz-front.onnx").UploadAsync(RepoPaths.BlazeFaceFront);
        var listed = new List<string>();
        await foreach (var blob in Server.Weights.GetBlobsAsync())
            listed.Add(blob.Name);
        Assert.Contains(RefusedName, listed);

        var scan = ActivatorUtilities.CreateInstance<WeightsContainerScan>(Server.App.Services);
        var processed = await scan.ScanOnceAsync(Server.Weights, CancellationToken.None);

        Assert.Equal(listed.Count, processed);
        var marker = (await Server.Weights.GetBlobClient("zz-front.onnx").GetPropertiesAsync()).Value.Metadata[WeightsContainerScan.MarkerKey];
        Assert.StartsWith("zz-front-", marker);
        Assert.StartsWith("rejected:", (await Server.Weights.GetBlobClient("huge.onnx").GetPropertiesAsync()).Value.Metadata[WeightsContainerScan.MarkerKey]);

        // The blob that could not be marked keeps its attempt count (so it is not ingested forever) only while it is
        // there: the scan's memory is bounded by the container, not by every blob it ever saw.
        Assert.Equal(1, scan.TrackedBlobs);
        await Fixture.Azurite.CreateClient().GetBlobContainerClient(Server.Weights.Name).DeleteBlobAsync(RefusedName);
        Assert.Equal(0, await scan.ScanOnceAsync(Server.Weights, CancellationToken.None));
        Assert.Equal(0, scan.TrackedBlobs);
    }
}
