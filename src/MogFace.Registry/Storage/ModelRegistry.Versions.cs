using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace MogFace.Registry.Storage;

/// <summary>Versions: register (the manifest is the commit), read, list, download, activation records.</summary>
internal sealed partial class ModelRegistry
{

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
}
