using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace MogFace.Tests.Contract;

/// <summary>
/// "An HTTP endpoint of the product": the standalone server or the Functions app under the real Functions host,
/// each with its own Azurite. The contract tests in this folder run against both through this interface.
/// </summary>
public interface IServiceEndpoint
{
    /// <summary>"server" or "functions": in failure messages and measurement files.</summary>
    string HostKind { get; }
    Uri BaseAddress { get; }
    BlobContainerClient Weights { get; }
    BlobContainerClient Models { get; }

    HttpClient CreateClient(string? key = null);

    /// <summary>Polls GET /api/health until it answers 200 with <paramref name="version"/> (any version when null).</summary>
    Task<string> WaitForModelAsync(string? version = null, TimeSpan? timeout = null);
}

/// <summary>What every endpoint does the same way, whichever host serves it.</summary>
public static class ServiceEndpoint
{
    /// <summary>Limits both hosts are started with, so the refusal tests know where the edges are.</summary>
    public const long MaxImageBytes = 1024 * 1024;
    public const long MaxImagePixels = 4_000_000;

    public static HttpClient CreateClient(Uri baseAddress, string? key)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        return client;
    }

    public static async Task<string> WaitForModelAsync(IServiceEndpoint endpoint, string? version, TimeSpan? timeout)
    {
        using var client = endpoint.CreateClient();
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        string? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync("api/health");
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var served = JsonDocument.Parse(last).RootElement.GetProperty("modelVersion").GetString()!;
                    if (version is null || served == version)
                        return served;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message; // a host that is (re)starting refuses connections for a moment
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The {endpoint.HostKind} did not serve {version ?? "a model"} in time; last health: {last}");
    }

    /// <summary>POST /api/models with the weights; returns the response.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] weights, string name)
    {
        var content = new ByteArrayContent(weights);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync($"api/models?name={Uri.EscapeDataString(name)}", content);
    }
}
