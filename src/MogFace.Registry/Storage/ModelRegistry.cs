using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Engine;
using MogFace.Engine.Json;
using MogFace.Registry.Configuration;

namespace MogFace.Registry.Storage;

/// <summary>
/// The model registry on Blob Storage (system.md, "The weights path"): immutable versions under
/// <c>models/versions/&lt;v&gt;/</c>, the pointer <c>models/pointer.json</c> changed only by ETag
/// compare-and-swap, rejections under <c>models/rejected/</c>, heartbeats under <c>models/instances/</c>.
/// Every document is written with <see cref="MogFaceJson.Options"/>. One class in four files by concern: this one
/// (names, containers, the weights container, plumbing), .Pointer, .Versions and .Records.
/// </summary>
internal sealed partial class ModelRegistry(
    BlobServiceClient service, IOptions<MogFaceOptions> options, TimeProvider time, ILogger<ModelRegistry> logger)
{
    public const string PointerBlob = "pointer.json";
    public const string ModelFile = "model.onnx";
    public const string ManifestFile = "manifest.json";

    /// <summary>Written after the pointer update that followed a registration: the ingestion finished.</summary>
    public const string ActivatedFile = "activated";

    /// <summary>CAS attempts before a pointer update gives up (each lost race means another writer won).</summary>
    private const int MaxCasAttempts = 50;

    private int _containersReady;

    public BlobContainerClient Models => service.GetBlobContainerClient(options.Value.ModelsContainer);
    public BlobContainerClient Weights => service.GetBlobContainerClient(options.Value.WeightsContainer);

    public static string VersionBlob(string version, string file) => $"versions/{version}/{file}";
    /// <summary>
    /// <c>rejected/&lt;safe name&gt;-&lt;8 hex of sha256(original blob name)&gt;-&lt;8 hex of the bytes' sha256 (or of their
    /// size when they were never read)&gt;.json</c>: names that sanitise alike (every non-ASCII name is "model") and
    /// different bytes under one name each keep their own record; the same refusal again replaces its own.
    /// </summary>
    public static string RejectionBlob(string blobName, string? sha256, long size) =>
        $"{RejectionPrefix(blobName)}{(sha256 ?? ModelVersion.Sha256Hex(System.Text.Encoding.UTF8.GetBytes($"size:{size}")))[..8]}.json";

    /// <summary>What every rejection record of <paramref name="blobName"/> starts with.</summary>
    public static string RejectionPrefix(string blobName) =>
        $"rejected/{ModelVersion.SafeName(blobName)}-{ModelVersion.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(blobName))[..8]}-";
    public static string UploadBlob(string id) => $"uploads/{id}.json";
    public static string HeartbeatBlob(string instanceId) => $"instances/{instanceId.Replace('/', '-')}.json";

    /// <summary>Creates both containers when missing (once per process, again after a write finds them gone).</summary>
    public async Task EnsureContainersAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _containersReady) != 0)
            return;
        await Models.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Weights.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        Volatile.Write(ref _containersReady, 1);
    }

    // ---------------------------------------------------------------- weights container

    /// <summary>Size of <c>weights/&lt;blobName&gt;</c>, or null when it does not exist.</summary>
    public async Task<long?> GetWeightsSizeAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await Weights.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<Stream> OpenWeightsAsync(string blobName, CancellationToken cancellationToken) =>
        (await Weights.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;

    /// <summary>The text of <c>weights/&lt;blobName&gt;</c>, or null when it does not exist.</summary>
    public async Task<string?> ReadWeightsTextAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            return (await Weights.GetBlobClient(blobName).DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static readonly BlobHttpHeaders JsonHeaders = new() { ContentType = "application/json" };

    private static BinaryData Serialize<T>(T value) => BinaryData.FromObjectAsJson(value, MogFaceJson.Options);

    private static T Parse<T>(BinaryData content, string blob) => RegistryDocuments.Parse<T>(content, blob);

    private async Task WriteAsync<T>(string blob, T value, CancellationToken cancellationToken)
    {
        await EnsureContainersAsync(cancellationToken);
        try
        {
            await Models.GetBlobClient(blob).UploadAsync(Serialize(value), new BlobUploadOptions { HttpHeaders = JsonHeaders }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // The container went away under a running process (emulator reset, operator): recreate once.
            Volatile.Write(ref _containersReady, 0);
            await EnsureContainersAsync(cancellationToken);
            await Models.GetBlobClient(blob).UploadAsync(Serialize(value), new BlobUploadOptions { HttpHeaders = JsonHeaders }, cancellationToken);
        }
    }

    private async Task<T?> ReadAsync<T>(string blob, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var response = await Models.GetBlobClient(blob).DownloadContentAsync(cancellationToken);
            return Parse<T>(response.Value.Content, blob);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = Models.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).AsPages();
        IAsyncEnumerator<Page<BlobItem>> pageEnumerator = pages.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await pageEnumerator.MoveNextAsync())
                        yield break;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    yield break; // no container yet: nothing listed
                }
                foreach (var item in pageEnumerator.Current.Values)
                    yield return item.Name;
            }
        }
        finally
        {
            await pageEnumerator.DisposeAsync();
        }
    }

    private async Task<List<string>> CollectAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var name in ListAsync(prefix, cancellationToken))
        {
            if (name.EndsWith(".json", StringComparison.Ordinal))
                names.Add(name);
        }
        return names;
    }

    /// <summary>Reads documents in parallel; one that vanished or does not parse is skipped (and logged).</summary>
    private async Task<List<T>> ReadAllAsync<T>(IReadOnlyList<string> blobs, CancellationToken cancellationToken) where T : class
    {
        var results = new T?[blobs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, blobs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    results[i] = await ReadAsync<T>(blobs[i], token);
                }
                catch (JsonException ex)
                {
                    logger.LogWarning(ex, "Skipping unreadable document models/{Blob}", blobs[i]);
                }
            });
        return results.OfType<T>().ToList();
    }
}
