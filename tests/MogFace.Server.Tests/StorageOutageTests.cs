using System.Diagnostics;
using System.Net.Http.Json;
using Azure;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 11: with storage unreachable every admin route answers at once with 503 problem+json and
/// Retry-After (as upload already did), not an empty 500 after the SDK's retries. The outage is injected in the
/// server's Blob client (every request refused as a dead endpoint would), so the shared Azurite keeps running.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class StorageOutageTests(KeyedServerFixture fixture) : OwnServerTests(fixture)
{
    private readonly RequestFaults _outage = new(_ => new RequestFailedException(0, "Injected outage: connection refused.",
        new HttpRequestException("Connection refused (127.0.0.1:10000)"))) { Enabled = false };

    protected override Azure.Core.Pipeline.HttpPipelinePolicy Policy => _outage;

    public static TheoryData<string> Routes => new() { "GET models", "POST activate", "POST rollback", "PUT canary", "DELETE canary", "POST upload" };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task An_admin_route_answers_503_with_retry_after_at_once(string route)
    {
        using var admin = Admin();
        _outage.Enabled = true;
        var clock = Stopwatch.StartNew();

        using var response = route switch
        {
            "GET models" => await admin.GetAsync("api/models"),
            "POST activate" => await admin.PostAsync("api/models/front-000000000000/activate", null),
            "POST rollback" => await admin.PostAsync("api/models/rollback", null),
            "PUT canary" => await admin.PutAsJsonAsync("api/models/canary", new { version = "front-000000000000", percent = 10 }),
            "DELETE canary" => await admin.DeleteAsync("api/models/canary"),
            _ => await ServerInstance.UploadAsync(admin, RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront), "front"),
        };

        await TestHttp.AssertProblemAsync(response, 503, "storage-unavailable");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
