using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MogFace.Engine;
using MogFace.Engine.Json;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Serving;

namespace MogFace.Registry.Storage;

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
            var document = PointerParser.TryParse(response.Value.Content, out var error);
            return document is null
                ? new PointerRead(PointerReadStatus.Unreadable, null, response.Value.Details.ETag, error)
                : new PointerRead(PointerReadStatus.Changed, document, response.Value.Details.ETag);
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

    /// <summary>The pointer, or null when there is none yet.</summary>
    /// <exception cref="PointerUnreadableException">The pointer blob does not parse.</exception>
    public async Task<PointerDocument?> GetPointerAsync(CancellationToken cancellationToken)
    {
        var read = await ReadPointerAsync(null, cancellationToken);
        return read.Status == PointerReadStatus.Unreadable ? throw new PointerUnreadableException(read.Error!) : read.Document;
    }

    /// <summary>
    /// Compare-and-swap: reads the pointer, applies <paramref name="change"/> (null = nothing to change) and
    /// writes it back only if nobody wrote in between (If-Match the ETag read, or If-None-Match * when there
    /// was no pointer); a lost race (412/409) re-reads and re-applies, so no writer's update is lost.
    /// An unreadable pointer throws <see cref="PointerUnreadableException"/> unless <paramref name="repair"/>
    /// is set: then the change applies to <see cref="RebuiltPointerAsync"/> and replaces the broken blob (still
    /// If-Match its ETag, so a concurrent repair is not overwritten blindly).
    /// </summary>
    public async Task<PointerDocument> UpdatePointerAsync(Func<PointerDocument, PointerDocument?> change, CancellationToken cancellationToken, bool repair = false)
    {
        await EnsureContainersAsync(cancellationToken);
        var blob = Models.GetBlobClient(PointerBlob);
        for (var attempt = 1; ; attempt++)
        {
            var read = await ReadPointerAsync(null, cancellationToken);
            var current = read.Document ?? new PointerDocument();
            if (read.Status == PointerReadStatus.Unreadable)
            {
                if (!repair)
                    throw new PointerUnreadableException(read.Error!);
                logger.LogWarning("models/{Blob} is unreadable ({Error}); replacing it, history rebuilt from the registered versions", PointerBlob, read.Error);
                current = await RebuiltPointerAsync(cancellationToken);
            }
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

    /// <summary>
    /// <paramref name="version"/> becomes active (nothing changes when it already is). Works on an unreadable
    /// pointer too: making a version active does not depend on what the broken pointer said.
    /// </summary>
    public Task<PointerDocument> ActivateAsync(string version, string reason, CancellationToken cancellationToken) =>
        UpdatePointerAsync(pointer => PointerHistory.Activate(pointer, version, reason), cancellationToken, repair: true);

    /// <summary>
    /// The base a repair starts from when the pointer is unreadable: nothing active, and every registered version
    /// as history, newest first (what a rollback after the repair can go back to).
    /// </summary>
    public async Task<PointerDocument> RebuiltPointerAsync(CancellationToken cancellationToken) =>
        new() { Previous = (await ListVersionsAsync(cancellationToken)).Select(v => v.Version).Take(PointerHistory.Limit).ToArray() };

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

    /// <summary>Marks that the pointer update after registering <paramref name="version"/> happened.</summary>
    public async Task RecordActivationAsync(string version, CancellationToken cancellationToken) =>
        await Models.GetBlobClient(VersionBlob(version, ActivatedFile)).UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken);

    /// <summary>
    /// False when <paramref name="version"/> was registered but the ingestion that registered it stopped before
    /// (or while) moving the pointer: a retry must finish that, not report "already registered" and stop.
    /// </summary>
    public async Task<bool> IsActivationRecordedAsync(string version, CancellationToken cancellationToken) =>
        (await Models.GetBlobClient(VersionBlob(version, ActivatedFile)).ExistsAsync(cancellationToken)).Value;

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

    public Task WriteRejectionAsync(RejectionRecord rejection, string blobName, CancellationToken cancellationToken) =>
        WriteAsync(RejectionBlob(blobName, rejection.Sha256, rejection.Size), rejection, cancellationToken);

    /// <summary>Deletes every rejection record of <paramref name="blobName"/> (a good upload of that name).</summary>
    public async Task DeleteRejectionsAsync(string blobName, CancellationToken cancellationToken)
    {
        foreach (var blob in await CollectAsync(RejectionPrefix(blobName), cancellationToken))
            await Models.GetBlobClient(blob).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    /// <summary>The newest rejection record of <paramref name="blobName"/>, or null.</summary>
    public async Task<RejectionRecord?> GetRejectionAsync(string blobName, CancellationToken cancellationToken)
    {
        var records = await ReadAllAsync<RejectionRecord>(await CollectAsync(RejectionPrefix(blobName), cancellationToken), cancellationToken);
        return records.MaxBy(r => r.At);
    }

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
