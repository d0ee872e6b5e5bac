using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Core.Lifecycle;

namespace MogFace.Core.Storage;

/// <summary>
/// The model registry on Blob Storage (system.md, "The weights path"): immutable versions under
/// <c>models/versions/&lt;v&gt;/</c>, the pointer <c>models/pointer.json</c> changed only by ETag
/// compare-and-swap, rejections under <c>models/rejected/</c>, heartbeats under <c>models/instances/</c>.
/// Every document is written with <see cref="MogFaceJson.Options"/>.
/// </summary>
internal sealed class ModelRegistry(
    BlobServiceClient service, IOptions<MogFaceOptions> options, TimeProvider time, ILogger<ModelRegistry> logger)
{
    public const string PointerBlob = "pointer.json";
    public const string ModelFile = "model.onnx";
    public const string ManifestFile = "manifest.json";

    /// <summary>CAS attempts before a pointer update gives up (each lost race means another writer won).</summary>
    private const int MaxCasAttempts = 50;

    private int _containersReady;

    public BlobContainerClient Models => service.GetBlobContainerClient(options.Value.ModelsContainer);
    public BlobContainerClient Weights => service.GetBlobContainerClient(options.Value.WeightsContainer);

    public static string VersionBlob(string version, string file) => $"versions/{version}/{file}";
    public static string RejectionBlob(string name) => $"rejected/{name}.json";
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

    // ---------------------------------------------------------------- pointer

    /// <summary>Reads the pointer; with <paramref name="ifNoneMatch"/> an unchanged pointer costs a 304 and no body.</summary>
    public async Task<PointerRead> ReadPointerAsync(ETag? ifNoneMatch, CancellationToken cancellationToken)
    {
        try
        {
            var conditions = ifNoneMatch is { } etag ? new BlobRequestConditions { IfNoneMatch = etag } : null;
            var response = await Models.GetBlobClient(PointerBlob)
                .DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken);
            // A 304 does not throw here: it comes back without a value.
            if (!response.HasValue || response.GetRawResponse().Status == 304)
                return PointerRead.NotModified;
            var document = Parse<PointerDocument>(response.Value.Content, PointerBlob);
            return new PointerRead(PointerReadStatus.Changed, document, response.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 304)
        {
            return PointerRead.NotModified;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return PointerRead.Missing;
        }
    }

    public async Task<PointerDocument?> GetPointerAsync(CancellationToken cancellationToken) =>
        (await ReadPointerAsync(null, cancellationToken)).Document;

    /// <summary>
    /// Compare-and-swap: reads the pointer, applies <paramref name="change"/> (null = nothing to change) and
    /// writes it back only if nobody wrote in between (If-Match the ETag read, or If-None-Match * when there
    /// was no pointer); a lost race (412/409) re-reads and re-applies, so no writer's update is lost.
    /// </summary>
    public async Task<PointerDocument> UpdatePointerAsync(Func<PointerDocument, PointerDocument?> change, CancellationToken cancellationToken)
    {
        await EnsureContainersAsync(cancellationToken);
        var blob = Models.GetBlobClient(PointerBlob);
        for (var attempt = 1; ; attempt++)
        {
            var read = await ReadPointerAsync(null, cancellationToken);
            var current = read.Document ?? new PointerDocument();
            var next = change(current);
            if (next is null)
                return current;
            next = next with { UpdatedAt = time.GetUtcNow() };
            var conditions = read.ETag is { } etag
                ? new BlobRequestConditions { IfMatch = etag }
                : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                await blob.UploadAsync(Serialize(next), new BlobUploadOptions { Conditions = conditions, HttpHeaders = JsonHeaders }, cancellationToken);
                logger.LogInformation("Pointer updated: active {Active}, canary {Canary} ({Reason})",
                    next.Active, next.Canary?.Version, next.Reason);
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 409 && attempt < MaxCasAttempts)
            {
                logger.LogDebug("Pointer changed under us (HTTP {Status}); re-reading (attempt {Attempt})", ex.Status, attempt);
            }
        }
    }

    // ---------------------------------------------------------------- versions

    public async Task<VersionRecord?> GetVersionAsync(string version, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Models.GetBlobClient(VersionBlob(version, ManifestFile)).DownloadContentAsync(cancellationToken);
            return Parse<VersionRecord>(response.Value.Content, VersionBlob(version, ManifestFile));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the model, then its manifest with If-None-Match * (the manifest is the commit: a version exists
    /// once it does). False when another writer registered the same version first.
    /// </summary>
    public async Task<bool> RegisterVersionAsync(VersionRecord record, BinaryData model, CancellationToken cancellationToken)
    {
        await EnsureContainersAsync(cancellationToken);
        await Models.GetBlobClient(VersionBlob(record.Version, ModelFile)).UploadAsync(model, overwrite: true, cancellationToken);
        try
        {
            await Models.GetBlobClient(VersionBlob(record.Version, ManifestFile)).UploadAsync(Serialize(record),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = JsonHeaders },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Streams a version's model bytes into <paramref name="destination"/>.</summary>
    public async Task DownloadModelAsync(string version, Stream destination, CancellationToken cancellationToken)
    {
        var response = await Models.GetBlobClient(VersionBlob(version, ModelFile)).DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = response.Value.Content;
        await content.CopyToAsync(destination, cancellationToken);
    }

    public async Task<IReadOnlyList<VersionRecord>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var item in ListAsync("versions/", cancellationToken))
        {
            if (item.EndsWith("/" + ManifestFile, StringComparison.Ordinal))
                names.Add(item);
        }
        var records = await ReadAllAsync<VersionRecord>(names, cancellationToken);
        return records.OrderByDescending(r => r.Created).ToList();
    }

    // ---------------------------------------------------------------- rejections and heartbeats

    public Task WriteRejectionAsync(RejectionRecord rejection, CancellationToken cancellationToken) =>
        WriteAsync(RejectionBlob(rejection.Name), rejection, cancellationToken);

    public async Task DeleteRejectionAsync(string name, CancellationToken cancellationToken) =>
        await Models.GetBlobClient(RejectionBlob(name)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public async Task<RejectionRecord?> GetRejectionAsync(string name, CancellationToken cancellationToken) =>
        await ReadAsync<RejectionRecord>(RejectionBlob(name), cancellationToken);

    public async Task<IReadOnlyList<RejectionRecord>> ListRejectionsAsync(CancellationToken cancellationToken)
    {
        var records = await ReadAllAsync<RejectionRecord>(await CollectAsync("rejected/", cancellationToken), cancellationToken);
        return records.OrderByDescending(r => r.At).ToList();
    }

    public Task WriteHeartbeatAsync(InstanceHeartbeat heartbeat, CancellationToken cancellationToken) =>
        WriteAsync(HeartbeatBlob(heartbeat.InstanceId), heartbeat, cancellationToken);

    public async Task<IReadOnlyList<InstanceHeartbeat>> ListHeartbeatsAsync(CancellationToken cancellationToken)
    {
        var records = await ReadAllAsync<InstanceHeartbeat>(await CollectAsync("instances/", cancellationToken), cancellationToken);
        return records.OrderBy(r => r.InstanceId, StringComparer.Ordinal).ToList();
    }

    // ---------------------------------------------------------------- asynchronous uploads

    public Task WriteUploadAsync(UploadStatus status, CancellationToken cancellationToken) =>
        WriteAsync(UploadBlob(status.Id), status, cancellationToken);

    public async Task<UploadStatus?> GetUploadAsync(string id, CancellationToken cancellationToken) =>
        await ReadAsync<UploadStatus>(UploadBlob(id), cancellationToken);

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

    private static T Parse<T>(BinaryData content, string blob) =>
        content.ToObjectFromJson<T>(MogFaceJson.Options)
        ?? throw new JsonException($"models/{blob} holds JSON null.");

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
