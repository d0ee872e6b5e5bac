using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace MogFace.Registry.Storage;

/// <summary>The pointer: read, compare-and-swap, activate, repair.</summary>
internal sealed partial class ModelRegistry
{

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
    /// <paramref name="admitting"/>: a version the change brings into the pointer (activate, canary). After every read
    /// and before the write it must still be registered and not under deletion (<see cref="RequireAdmittableAsync"/>):
    /// that order is what makes a concurrent delete safe (see <c>VersionDeletion</c>).
    /// </summary>
    public async Task<PointerDocument> UpdatePointerAsync(Func<PointerDocument, PointerDocument?> change, CancellationToken cancellationToken, bool repair = false, string? admitting = null)
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
            if (admitting is not null)
                await RequireAdmittableAsync(admitting, cancellationToken);
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
    /// Writes <paramref name="next"/> only if the pointer still has <paramref name="etag"/>; false when anyone wrote
    /// in between (no retry: the caller decided on what it read, and that is gone).
    /// </summary>
    public async Task<bool> TryReplacePointerAsync(ETag etag, PointerDocument next, CancellationToken cancellationToken)
    {
        next = next with { UpdatedAt = time.GetUtcNow() };
        try
        {
            await Models.GetBlobClient(PointerBlob).UploadAsync(Serialize(next),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = etag }, HttpHeaders = JsonHeaders }, cancellationToken);
            logger.LogInformation("Pointer updated: active {Active}, canary {Canary} ({Reason})", next.Active, next.Canary?.Version, next.Reason);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="version"/> becomes active (nothing changes when it already is). Works on an unreadable
    /// pointer too: making a version active does not depend on what the broken pointer said.
    /// </summary>
    public Task<PointerDocument> ActivateAsync(string version, string reason, CancellationToken cancellationToken) =>
        UpdatePointerAsync(pointer => PointerHistory.Activate(pointer, version, reason), cancellationToken, repair: true, admitting: version);

    /// <summary>
    /// The base a repair starts from when the pointer is unreadable: nothing active, and every registered version
    /// as history, newest first (what a rollback after the repair can go back to).
    /// </summary>
    public async Task<PointerDocument> RebuiltPointerAsync(CancellationToken cancellationToken) =>
        new() { Previous = (await ListVersionsAsync(cancellationToken)).Select(v => v.Version).Take(PointerHistory.Limit).ToArray() };
}
