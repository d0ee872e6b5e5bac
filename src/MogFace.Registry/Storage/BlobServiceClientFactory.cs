using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace MogFace.Registry.Storage;

/// <summary>
/// The Blob Storage client from the Functions convention: <c>AzureWebJobsStorage</c> as a connection string
/// (Azurite: <c>UseDevelopmentStorage=true</c>), or identity-based <c>AzureWebJobsStorage__blobServiceUri</c>
/// with a managed identity (<c>AzureWebJobsStorage__clientId</c> for a user-assigned one) or, without a client
/// id, <see cref="DefaultAzureCredential"/> (developer sign-in, workload identity, managed identity).
/// </summary>
public static class BlobServiceClientFactory
{
    public const string ConnectionKey = "AzureWebJobsStorage";

    /// <summary>Whether <paramref name="configuration"/> names a storage account at all (either convention).</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        var section = configuration.GetSection(ConnectionKey);
        return !string.IsNullOrWhiteSpace(section.Value) || !string.IsNullOrWhiteSpace(section["blobServiceUri"])
            || !string.IsNullOrWhiteSpace(section["accountName"]);
    }

    public static BlobServiceClient Create(IConfiguration configuration, BlobClientOptions? options = null)
    {
        var section = configuration.GetSection(ConnectionKey);
        if (!string.IsNullOrWhiteSpace(section.Value))
            return new BlobServiceClient(section.Value, options);

        var uri = section["blobServiceUri"]
            ?? (section["accountName"] is { Length: > 0 } account ? $"https://{account}.blob.core.windows.net" : null);
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new InvalidOperationException(
                "Blob Storage is not configured: set AzureWebJobsStorage to a connection string " +
                "(UseDevelopmentStorage=true for Azurite) or AzureWebJobsStorage__blobServiceUri for identity-based access.");
        }
        TokenCredential credential = section["clientId"] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new BlobServiceClient(new Uri(uri), credential, options);
    }
}
