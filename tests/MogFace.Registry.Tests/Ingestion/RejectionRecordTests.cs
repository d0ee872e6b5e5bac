using MogFace.Registry.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Ingestion;

/// <summary>
/// Issue 12, case 13: one rejection record per distinct upload. Names that sanitise alike (every non-ASCII name
/// becomes "model") and different bytes under one name each keep their own record; a good upload of a name
/// clears that name's records only.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RejectionRecordTests(AzuriteFixture azurite) : OneInstanceTests(azurite)
{
    private Task Reject(string name, byte[] bytes) =>
        Instance.Ingestion.IngestAsync(name, new MemoryStream(bytes), null, CancellationToken.None);

    private async Task<List<(string? Source, string? Sha)>> RejectedAsync() =>
        (await Instance.Admin.ListAsync(CancellationToken.None)).Rejected.Select(r => (r.SourceBlob, r.Sha256)).ToList();

    [Fact]
    public async Task Names_that_sanitise_alike_keep_separate_records()
    {
        await Reject("模型.onnx", [1, 2, 3]);
        await Reject("модель.onnx", [1, 2, 3]);
        await Reject("μοντέλο.onnx", [1, 2, 3]);

        var sources = (await RejectedAsync()).Select(r => r.Source!.Split('/')[^1]).Order().ToList();
        Assert.Equal(new[] { "μοντέλο.onnx", "модель.onnx", "模型.onnx" }.Order(), sources);
    }

    [Fact]
    public async Task Different_bytes_under_one_name_keep_separate_records_and_a_good_upload_clears_them()
    {
        await Reject("candidate.onnx", [1, 2, 3]);
        await Reject("candidate.onnx", [4, 5, 6]);
        await Reject("other.onnx", [7, 8, 9]);
        Assert.Equal(3, (await RejectedAsync()).Count);

        await Instance.IngestAcceptedAsync("candidate.onnx", TestWeights.Front);

        Assert.Equal("other.onnx", Assert.Single(await RejectedAsync()).Source!.Split('/')[^1]);
    }
}
