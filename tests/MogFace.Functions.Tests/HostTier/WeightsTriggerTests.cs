using System.Diagnostics;
using Xunit.Abstractions;
using MogFace.Tests.Shared;

namespace MogFace.Functions.Tests.HostTier;

/// <summary>
/// The weights path as production runs it: <c>mogface publish</c> into the weights container, the host's polling
/// blob trigger, the shared ingestion, every instance converging, all under the real Functions host.
/// </summary>
public sealed class WeightsTriggerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();
    public Task DisposeAsync() => _azurite.DisposeAsync();

    private static byte[] Grace => File.ReadAllBytes(RepoPaths.GraceHopper);

    [Fact]
    public async Task Publish_is_ingested_by_the_blob_trigger_every_instance_converges_and_swaps_under_load_fail_no_request()
    {
        // Two instances of the app (one host each) on one storage account, as a scaled-out deployment.
        await using var first = await FunctionsHostProcess.StartAsync(_azurite);
        await using var second = await FunctionsHostProcess.StartAsync(_azurite);
        await first.WhenLoggedAsync("Function 'Functions.IngestWeightsEventGrid' is disabled", TimeSpan.FromSeconds(30));

        var back = await PublishAndConvergeAsync(RepoPaths.BlazeFaceBack, "back", first, second);

        // Load on both instances while the weights change three times: upload, activate, rollback.
        using var stop = new CancellationTokenSource();
        var load = new[] { first, second, first, second }.Select(host => Task.Run(() => DetectLoopAsync(host, stop.Token))).ToArray();
        await WhenRequestsServedAsync(load.Length * 3);
        var front = await PublishAndConvergeAsync(RepoPaths.BlazeFaceFront, "front", first, second);
        using var admin = first.CreateClient();
        using (var activate = await admin.PostAsync($"api/models/{back}/activate", null))
            await TestHttp.JsonAsync(activate);
        await Task.WhenAll(first.WaitForModelAsync(back), second.WaitForModelAsync(back));
        using (var rollback = await admin.PostAsync("api/models/rollback", null))
            Assert.Equal(front, (await TestHttp.JsonAsync(rollback)).GetProperty("active").GetString());
        await Task.WhenAll(first.WaitForModelAsync(front), second.WaitForModelAsync(front));
        await WhenRequestsServedAsync(load.Length * 3);
        stop.Cancel();
        var results = (await Task.WhenAll(load)).SelectMany(r => r).ToList();

        Assert.True(results.Count > 0);
        Assert.All(results, r => Assert.True(r.Status == 200, $"{r.Status} from {r.Version}"));
        Assert.Contains(results, r => r.Version == back);
        Assert.Contains(results, r => r.Version == front);

        // The registry sees both instances on the active version.
        using var list = await admin.GetAsync("api/models");
        var instances = (await TestHttp.JsonAsync(list)).GetProperty("instances").EnumerateArray()
            .ToDictionary(i => i.GetProperty("instanceId").GetString()!, i => i.GetProperty("active").GetString());
        Assert.Equal(front, instances[first.InstanceId]);
        Assert.Equal(front, instances[second.InstanceId]);
    }

    /// <summary>
    /// The host may give up during the outage (it exits when it cannot reach its storage); the platform restarts it
    /// (Container Apps restarts a replica whose process ended), as this test does. Either way the upload, which was
    /// never recorded, is picked up again once storage is back: it is not lost to a poison queue.
    /// </summary>
    [Fact]
    public async Task An_upload_that_meets_a_storage_outage_is_ingested_once_storage_is_back()
    {
        var host = await FunctionsHostProcess.StartAsync(_azurite);
        var triggered = host.WhenLoggedAsync("Executing 'Functions.IngestWeightsBlob'", TimeSpan.FromSeconds(120));
        await PublishAsync(RepoPaths.BlazeFaceBack, "back");

        // Storage goes away while the trigger is ingesting, and comes back a few seconds later.
        await triggered;
        await _azurite.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        await _azurite.StartAsync();

        string? served = null;
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (served is null)
        {
            if (host.HasExited)
            {
                output.WriteLine($"The host exited during the outage; restarting it as the platform would. Its last lines:\n{host.Tail(20)}");
                await host.DisposeAsync();
                host = await FunctionsHostProcess.StartAsync(_azurite);
            }
            try
            {
                served = await host.WaitForModelAsync(timeout: TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
            }
        }
        await using var _ = host;
        Assert.StartsWith("back-", served);
        using var client = host.CreateClient();
        using var detect = await client.PostAsync("api/detect", TestHttp.ImageContent(Grace, "image/jpeg"));
        Assert.Equal(1, (await TestHttp.JsonAsync(detect)).GetProperty("faces").GetArrayLength());
    }

    private int _served;

    private async Task<List<(int Status, string? Version)>> DetectLoopAsync(FunctionsHostProcess host, CancellationToken stop)
    {
        var results = new List<(int, string?)>();
        using var client = host.CreateClient();
        while (!stop.IsCancellationRequested)
        {
            using var response = await client.PostAsync("api/detect", TestHttp.ImageContent(Grace, "image/jpeg"), CancellationToken.None);
            var version = response.Headers.TryGetValues("X-Model-Version", out var v) ? v.Single() : null;
            results.Add(((int)response.StatusCode, version));
            Interlocked.Increment(ref _served);
        }
        return results;
    }

    /// <summary>Waits until the load loops have completed <paramref name="count"/> more requests.</summary>
    private async Task WhenRequestsServedAsync(int count)
    {
        var target = Volatile.Read(ref _served) + count;
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (Volatile.Read(ref _served) < target && DateTimeOffset.UtcNow < deadline)
            await Task.Delay(20);
    }

    private async Task<string> PublishAndConvergeAsync(string model, string name, params FunctionsHostProcess[] hosts)
    {
        await PublishAsync(model, name);
        // Content addressing: the version id is the name and the first 12 hex digits of the weights' sha256.
        var version = $"{name}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)))[..12]}";
        await Task.WhenAll(hosts.Select(h => h.WaitForModelAsync(version, TimeSpan.FromMinutes(3))));
        return version;
    }

    /// <summary>The real CLI: <c>mogface publish MODEL --name NAME</c> (manifest beside the model first, then the weights).</summary>
    private async Task PublishAsync(string model, string name)
    {
        var cli = Path.Combine(RepoPaths.Root, "src", "MogFace.Cli", "bin", "Release", "net10.0", "mogface.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "publish", model, "--name", name, "--connection-string", _azurite.ConnectionString })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == 0, $"mogface publish failed: {await stdout}\n{await stderr}");
    }
}
