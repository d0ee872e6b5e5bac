using MogFace.Registry.Tests.Infrastructure;
using Xunit.Abstractions;
using MogFace.Tests.Shared;
using MogFace.Engine;
using MogFace.Registry.Serving;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Tests.Serving;

/// <summary>Torn downloads, corrupt cache files and racing pointer writers, against a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _suffix = AzuriteFixture.NewContainerSuffix();
    private readonly List<LifecycleInstance> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
            await instance.DisposeAsync();
    }

    private LifecycleInstance NewInstance(string id = "instance-a", FaultInjectionPolicy? policy = null, string? cacheDirectory = null)
    {
        var instance = LifecycleInstance.Create(azurite, _suffix, id, policy: policy, cacheDirectory: cacheDirectory, output: output);
        _instances.Add(instance);
        return instance;
    }


    [Fact]
    public async Task An_interrupted_download_leaves_no_file_and_the_old_model_serves_until_a_retry_succeeds()
    {
        var faults = new FaultInjectionPolicy();
        var instance = NewInstance(policy: faults);
        var v1 = await instance.IngestAcceptedAsync("blazeface-front.onnx", TestWeights.Front);
        await instance.StartAsync();
        await instance.Host.ServesAsync(v1);

        faults.BreakModelDownloads = true;
        var failure = instance.NextApplyFailureAsync();
        var v2 = await instance.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await failure;
        Assert.True(faults.Cut > 0);

        // Nothing half-written is in the cache under the model's name, no temp file is left behind, and
        // requests are answered by the old model.
        var target = instance.Cache.PathFor(ModelVersion.Sha256Hex(TestWeights.Back));
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(instance.CacheDirectory, "*.partial"));
        using (var lease = instance.Provider.TryAcquire(null))
            Assert.Equal(v1, lease!.Model.Version);

        faults.BreakModelDownloads = false;
        await instance.Host.ServesAsync(v2); // the retry (with backoff) succeeds
        Assert.Equal(ModelVersion.Sha256Hex(TestWeights.Back), await ModelCache.HashFileAsync(target, CancellationToken.None));
    }

    [Fact]
    public async Task A_corrupt_cached_file_is_detected_and_downloaded_again()
    {
        var cache = Path.Combine(TestTemp.Root, _suffix, "cache");
        var first = NewInstance(cacheDirectory: cache);
        var v1 = await first.IngestAcceptedAsync("blazeface-back.onnx", TestWeights.Back);
        await first.StartAsync();
        await first.Host.ServesAsync(v1);
        Assert.Equal(1, first.Cache.Downloads);
        var file = first.Cache.PathFor(ModelVersion.Sha256Hex(TestWeights.Back));
        await first.DisposeAsync();
        _instances.Remove(first);

        // Bit rot (or a tampered disk) while the instance was down.
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes);

        var restarted = NewInstance(cacheDirectory: cache);
        await restarted.StartAsync();
        await restarted.Host.ServesAsync(v1);

        Assert.Equal(1, restarted.Cache.CorruptReplaced);
        Assert.Equal(1, restarted.Cache.Downloads);
        Assert.Equal(ModelVersion.Sha256Hex(TestWeights.Back), await ModelCache.HashFileAsync(file, CancellationToken.None));
    }

    [Fact]
    public async Task A_download_that_does_not_hash_right_is_never_moved_into_place()
    {
        var directory = Path.Combine(TestTemp.Root, _suffix, "cache-unit");
        var cache = new ModelCache(directory, Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelCache>.Instance);
        var sha = ModelVersion.Sha256Hex(TestWeights.Front);

        // Cut mid-way: an exception after half the bytes.
        await Assert.ThrowsAsync<IOException>(() => cache.EnsureAsync(sha, async (stream, token) =>
        {
            await stream.WriteAsync(TestWeights.Front.AsMemory(0, TestWeights.Front.Length / 2), token);
            throw new IOException("connection reset");
        }, CancellationToken.None));
        // Complete but wrong bytes.
        await Assert.ThrowsAsync<ModelIntegrityException>(() => cache.EnsureAsync(sha,
            (stream, token) => stream.WriteAsync(TestWeights.Back, token).AsTask(), CancellationToken.None));
        Assert.False(File.Exists(cache.PathFor(sha)));
        Assert.Empty(Directory.GetFiles(directory));

        var path = await cache.EnsureAsync(sha, (stream, token) => stream.WriteAsync(TestWeights.Front, token).AsTask(), CancellationToken.None);
        Assert.Equal(TestWeights.Front, await File.ReadAllBytesAsync(path));
        Assert.Equal(path, await cache.EnsureAsync(sha, (_, _) => throw new InvalidOperationException("no download expected"), CancellationToken.None));
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public async Task Concurrent_pointer_writers_lose_no_update()
    {
        var registry = NewInstance().Registry;
        const int writers = 4, each = 4;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var version = $"w{w}-{i}";
                await registry.UpdatePointerAsync(p => PointerHistory.Activate(p, version, $"writer {w}"), CancellationToken.None);
            }
        })));

        // Every activation happened exactly once, in some order: the active one plus the history hold all 16.
        var pointer = await registry.GetPointerAsync(CancellationToken.None);
        var all = pointer!.Previous.Prepend(pointer.Active!).ToList();
        Assert.Equal(writers * each, all.Count);
        Assert.Equal(writers * each, all.Distinct().Count());
        // Each writer's own activations keep their order (newest first in the history).
        for (var w = 0; w < writers; w++)
        {
            var mine = all.Where(v => v.StartsWith($"w{w}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, each).Reverse().Select(i => $"w{w}-{i}"), mine);
        }
    }
}
