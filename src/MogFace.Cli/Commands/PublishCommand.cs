using System.CommandLine;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Configuration;
using MogFace.Engine.Families;
using MogFace.Registry.Storage;

namespace MogFace.Cli.Commands;

/// <summary>
/// <c>mogface publish &lt;file.onnx&gt; [--name n] [--manifest m.json] [--connection-string … | --blob-service-uri …] [--container weights]</c>:
/// uploads the manifest first (<c>weights/&lt;name&gt;.json</c>), then the weights (<c>weights/&lt;name&gt;.onnx</c>),
/// which starts ingestion (Functions blob trigger or the server's container scan).
/// </summary>
internal static class PublishCommand
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file.onnx") { Description = "The ONNX weights to publish." };
        var name = new Option<string?>("--name") { Description = "Blob name without extension (default: the file name)." };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Manifest JSON (default: <file>.json beside the model, when present)." };
        var connection = new Option<string?>("--connection-string")
        {
            Description = "Storage connection string (default: $AzureWebJobsStorage, else the Azurite development account).",
        };
        var blobUri = new Option<Uri?>("--blob-service-uri")
        {
            Description = "Blob endpoint for Entra ID sign-in instead of a connection string (default: $AzureWebJobsStorage__blobServiceUri).",
        };
        var container = new Option<string?>("--container") { Description = "Weights container (default: $MogFace__WeightsContainer, else weights)." };
        var command = new Command("publish", "Upload weights (and their manifest) to the weights container.") { file, name, manifest, connection, blobUri, container };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var model = parse.GetValue(file)!;
            if (!model.Exists)
                throw new CliException($"Model file not found: {model.FullName}");
            var manifestFile = parse.GetValue(manifest) ?? new FileInfo(Path.ChangeExtension(model.FullName, ".json"));
            if (parse.GetValue(manifest) is { Exists: false } missing)
                throw new CliException($"Manifest not found: {missing.FullName}");
            if (manifestFile.Exists)
            {
                try { ModelManifest.Parse(await File.ReadAllTextAsync(manifestFile.FullName, ct)); }
                catch (System.Text.Json.JsonException ex) { throw new CliException($"{manifestFile.FullName}: not a valid manifest: {ex.Message}"); }
            }
            var stem = parse.GetValue(name) is { Length: > 0 } n ? n : Path.GetFileNameWithoutExtension(model.Name);
            if (stem.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                stem = stem[..^5];
            var service = ServiceClient(parse.GetValue(connection), parse.GetValue(blobUri));
            var containerName = parse.GetValue(container)
                ?? (Environment.GetEnvironmentVariable("MogFace__WeightsContainer") is { Length: > 0 } c ? c : "weights");

            try
            {
                var client = service.GetBlobContainerClient(containerName);
                await client.CreateIfNotExistsAsync(cancellationToken: ct);
                if (manifestFile.Exists)
                {
                    var manifestBlob = client.GetBlobClient(stem + ".json");
                    var uploaded = await manifestBlob.UploadAsync(manifestFile.FullName, new BlobUploadOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    }, ct);
                    Console.Out.WriteLine($"uploaded {manifestBlob.Uri}");
                    await LaterSecondThanAsync(uploaded.Value.LastModified, ct);
                }
                var weights = client.GetBlobClient(stem + ".onnx");
                await weights.UploadAsync(model.FullName, new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                }, ct);
                Console.Out.WriteLine($"uploaded {weights.Uri}");
                Console.Out.WriteLine($"ingestion picks it up from {containerName}/{stem}.onnx; see `mogface models list`");
            }
            catch (RequestFailedException ex)
            {
                throw new CliException($"storage: {ex.Status} {ex.ErrorCode}: {ex.Message.Split('\n')[0]}");
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException))
            {
                // The SDK's retries all failed (storage down or unreachable).
                throw new CliException($"storage at {service.Uri} unreachable after retries: {ex.InnerExceptions[0].Message.Split('\n')[0]}");
            }
            catch (AuthenticationFailedException ex)
            {
                throw new CliException($"sign-in for {service.Uri} failed (az login?): {ex.Message.Split('\n')[0]}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Waits until the clock is past the second of <paramref name="lastModified"/>. The polling blob trigger's
    /// container scan keeps a Last-Modified watermark and takes only blobs strictly newer than it; Last-Modified has
    /// one-second resolution, so weights uploaded in the same second as their manifest, just after a scan saw the
    /// manifest, would never be seen by that trigger. A later second makes the weights visible to the next scan.
    /// </summary>
    private static async Task LaterSecondThanAsync(DateTimeOffset lastModified, CancellationToken ct)
    {
        var wait = lastModified.AddSeconds(1) - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : wait, ct);
    }

    /// <summary>
    /// An explicit <c>--connection-string</c> or <c>--blob-service-uri</c> wins; otherwise the app's own settings from
    /// the environment, read by the app's own code (<see cref="BlobServiceClientFactory"/>: the
    /// <c>AzureWebJobsStorage</c> connection string, else identity-based <c>AzureWebJobsStorage__blobServiceUri</c>),
    /// so the CLI publishes where the app reads; with neither, Azurite.
    /// </summary>
    internal static BlobServiceClient ServiceClient(string? connectionString, Uri? blobServiceUri)
    {
        var explicitSettings = new Dictionary<string, string?>();
        if (connectionString is not null)
            explicitSettings[BlobServiceClientFactory.ConnectionKey] = connectionString;
        else if (blobServiceUri is not null)
            explicitSettings[$"{BlobServiceClientFactory.ConnectionKey}:blobServiceUri"] = blobServiceUri.ToString();
        var configuration = explicitSettings.Count > 0
            ? new ConfigurationBuilder().AddInMemoryCollection(explicitSettings).Build()
            : new ConfigurationBuilder().AddEnvironmentVariables().Build();
        if (!BlobServiceClientFactory.IsConfigured(configuration))
            configuration = new ConfigurationBuilder()
                .AddInMemoryCollection([new(BlobServiceClientFactory.ConnectionKey, DevelopmentStorage)]).Build();
        // A few quick retries: an interactive command should fail in seconds, not after the SDK's default minute.
        var options = new BlobClientOptions { Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(500) } };
        try
        {
            return BlobServiceClientFactory.Create(configuration, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new CliException($"storage connection string: {ex.Message}");
        }
    }
}
