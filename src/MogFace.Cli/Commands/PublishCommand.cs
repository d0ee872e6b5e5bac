using System.CommandLine;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MogFace.Core.Families;

namespace MogFace.Cli.Commands;

/// <summary>
/// <c>mogface publish &lt;file.onnx&gt; [--name n] [--manifest m.json] [--connection-string …] [--container weights]</c>:
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
        var container = new Option<string?>("--container") { Description = "Weights container (default: $MogFace__WeightsContainer, else weights)." };
        var command = new Command("publish", "Upload weights (and their manifest) to the weights container.") { file, name, manifest, connection, container };
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
            var connectionString = parse.GetValue(connection)
                ?? (Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } env ? env : DevelopmentStorage);
            var containerName = parse.GetValue(container)
                ?? (Environment.GetEnvironmentVariable("MogFace__WeightsContainer") is { Length: > 0 } c ? c : "weights");

            try
            {
                var client = new BlobServiceClient(connectionString).GetBlobContainerClient(containerName);
                await client.CreateIfNotExistsAsync(cancellationToken: ct);
                if (manifestFile.Exists)
                {
                    var manifestBlob = client.GetBlobClient(stem + ".json");
                    await manifestBlob.UploadAsync(manifestFile.FullName, new BlobUploadOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    }, ct);
                    Console.Out.WriteLine($"uploaded {manifestBlob.Uri}");
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
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new CliException($"storage connection string: {ex.Message}");
            }
            return 0;
        }));
        return command;
    }
}
