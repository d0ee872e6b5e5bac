using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using MogFace.Registry.Configuration;

namespace MogFace.Registry.Storage;

/// <summary>The records around versions: rejections, heartbeats, asynchronous uploads.</summary>
internal sealed partial class ModelRegistry
{

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

    /// <summary>
    /// The instances heard from within <see cref="MogFaceOptions.HeartbeatTtl"/>; older heartbeats (replicas that
    /// stopped or died) are deleted on the way, best effort, so the list and the container stay bounded.
    /// </summary>
    public async Task<IReadOnlyList<InstanceHeartbeat>> ListHeartbeatsAsync(CancellationToken cancellationToken)
    {
        var records = await ReadAllAsync<InstanceHeartbeat>(await CollectAsync("instances/", cancellationToken), cancellationToken);
        var oldest = time.GetUtcNow() - options.Value.HeartbeatTtl;
        foreach (var expired in records.Where(r => r.UpdatedAt < oldest))
        {
            try
            {
                await Models.DeleteBlobIfExistsAsync(HeartbeatBlob(expired.InstanceId), cancellationToken: cancellationToken);
            }
            catch (Azure.RequestFailedException ex)
            {
                logger.LogDebug("Expired heartbeat of {Instance} not deleted: {Error}", expired.InstanceId, ex.Message);
            }
        }
        return records.Where(r => r.UpdatedAt >= oldest).OrderBy(r => r.InstanceId, StringComparer.Ordinal).ToList();
    }

    // ---------------------------------------------------------------- asynchronous uploads

    public Task WriteUploadAsync(UploadStatus status, CancellationToken cancellationToken) =>
        WriteAsync(UploadBlob(status.Id), status, cancellationToken);

    public async Task<UploadStatus?> GetUploadAsync(string id, CancellationToken cancellationToken) =>
        await ReadAsync<UploadStatus>(UploadBlob(id), cancellationToken);
}
