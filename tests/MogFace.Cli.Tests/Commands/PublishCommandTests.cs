using MogFace.Cli.Commands;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Commands;

[Collection(AzuriteCollection.Name)]
public class PublishCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Uploads_the_manifest_then_the_weights_to_the_weights_container()
    {
        var container = "weights-" + Guid.NewGuid().ToString("N")[..8];
        var r = await CliProcess.RunAsync("publish", RepoPaths.BlazeFaceFront, "--name", "v1",
            "--connection-string", azurite.ConnectionString, "--container", container);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("v1.json", r.Lines[0]);
        Assert.Contains("v1.onnx", r.Lines[1]);

        var client = azurite.CreateClient().GetBlobContainerClient(container);
        var weights = await client.GetBlobClient("v1.onnx").DownloadContentAsync();
        Assert.Equal(File.ReadAllBytes(RepoPaths.BlazeFaceFront), weights.Value.Content.ToArray());
        var manifest = (await client.GetBlobClient("v1.json").GetPropertiesAsync()).Value;
        var onnx = (await client.GetBlobClient("v1.onnx").GetPropertiesAsync()).Value;
        Assert.True(manifest.LastModified <= onnx.LastModified, "the manifest is there before the weights");
    }

    [Fact]
    public async Task A_broken_manifest_is_refused_before_anything_is_uploaded()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var manifest = Path.Combine(dir, "m.json");
        await File.WriteAllTextAsync(manifest, "{ not json");
        var container = "weights-" + Guid.NewGuid().ToString("N")[..8];
        var r = await CliProcess.RunAsync("publish", RepoPaths.BlazeFaceFront, "--manifest", manifest,
            "--connection-string", azurite.ConnectionString, "--container", container);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a valid manifest", r.Stderr);
        Assert.False(await azurite.CreateClient().GetBlobContainerClient(container).ExistsAsync());
    }

    [Fact]
    public async Task Unreachable_storage_fails_with_a_message_not_a_stack_trace()
    {
        var r = await CliProcess.RunAsync("publish", RepoPaths.BlazeFaceFront,
            "--connection-string", "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
            "--container", "weights");
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void A_blob_endpoint_selects_entra_sign_in_and_a_connection_string_wins_over_it()
    {
        var identity = PublishCommand.ServiceClient(null, new Uri("https://account.blob.core.windows.net/"));
        Assert.Equal("account", identity.AccountName);
        Assert.False(identity.CanGenerateAccountSasUri); // no shared key: a token credential
        var keyed = PublishCommand.ServiceClient(azurite.ConnectionString, null);
        Assert.True(keyed.CanGenerateAccountSasUri);
    }
}
