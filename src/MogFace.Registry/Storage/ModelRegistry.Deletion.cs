using MogFace.Registry.Serving;

namespace MogFace.Registry.Storage;

/// <summary>The blobs of a version's deletion: the <c>deleting</c> marker, and removing everything under the version.</summary>
internal sealed partial class ModelRegistry
{
    /// <summary>
    /// <c>versions/&lt;v&gt;/deleting</c>: written before a deletion detaches the version from the pointer, removed
    /// last. While it exists no pointer change may bring the version in (<see cref="RequireAdmittableAsync"/>).
    /// </summary>
    public const string DeletingFile = "deleting";

    /// <summary>
    /// Throws unless <paramref name="version"/> is registered and no deletion of it has started. Called by pointer
    /// changes after they read the pointer and before they write it.
    /// </summary>
    /// <exception cref="VersionNotFoundException">Not registered, or being deleted.</exception>
    public async Task RequireAdmittableAsync(string version, CancellationToken cancellationToken)
    {
        if (await GetVersionAsync(version, cancellationToken) is null)
            throw new VersionNotFoundException(version);
        if (await IsDeletingAsync(version, cancellationToken))
            throw new VersionNotFoundException(version, $"Version '{version}' is being deleted.");
    }

    public async Task<bool> IsDeletingAsync(string version, CancellationToken cancellationToken) =>
        (await Models.GetBlobClient(VersionBlob(version, DeletingFile)).ExistsAsync(cancellationToken)).Value;

    public async Task MarkDeletingAsync(string version, CancellationToken cancellationToken) =>
        await Models.GetBlobClient(VersionBlob(version, DeletingFile)).UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken);

    public async Task UnmarkDeletingAsync(string version, CancellationToken cancellationToken) =>
        await Models.GetBlobClient(VersionBlob(version, DeletingFile)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Deletes every blob of <paramref name="version"/>: the manifest first (the version stops existing for listings and
    /// loads), the deleting marker last (an interrupted deletion stays visible to the next attempt).
    /// </summary>
    public async Task RemoveVersionBlobsAsync(string version, CancellationToken cancellationToken)
    {
        var marker = VersionBlob(version, DeletingFile);
        var manifest = VersionBlob(version, ManifestFile);
        var rest = new List<string>();
        await foreach (var name in ListAsync(VersionBlob(version, ""), cancellationToken))
        {
            if (name != marker && name != manifest)
                rest.Add(name);
        }
        await Models.GetBlobClient(manifest).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        foreach (var name in rest)
            await Models.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await Models.GetBlobClient(marker).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }
}
