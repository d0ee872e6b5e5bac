using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Inference;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Storage;
using MogFace.Registry.Telemetry;

namespace MogFace.Registry.Serving;

/// <summary>
/// Brings a registered version into this instance: download into the verified cache, load with the configured
/// provider (<see cref="FaceModel.Load(SessionFactory, string, ModelManifest?, string)"/>, the path ingestion's
/// validation loads from too), warm up. What can never load is a <see cref="PermanentLoadException"/>.
/// </summary>
internal sealed class ModelLoader(ModelRegistry registry, ModelCache cache, SessionFactory sessions, MogFaceMetrics metrics,
    ILogger<ModelLoader> logger)
{
    // version → sha256 of what was loaded, so the cache keeps the files of served versions; pruned with the cache.
    private readonly ConcurrentDictionary<string, string> _shaByVersion = new(StringComparer.Ordinal);

    public async Task<FaceModel> LoadAsync(string version, CancellationToken cancellationToken)
    {
        using var load = MogFaceTracing.Source.StartActivity(MogFaceTracing.LoadSpan)?.SetTag(MogFaceTracing.ModelVersion, version);
        var record = await registry.GetVersionAsync(version, cancellationToken) ?? throw new VersionNotFoundException(version);
        _shaByVersion[version] = record.Sha256;
        string path;
        using (MogFaceTracing.Source.StartActivity("mogface.download"))
            path = await DownloadVerifiedAsync(version, record.Sha256, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        FaceModel model;
        using (MogFaceTracing.Source.StartActivity("mogface.session"))
        {
            try
            {
                model = FaceModel.Load(sessions, path, record.Manifest, version);
            }
            catch (Exception ex) when (ex is ModelFormatException or ExternalDataException)
            {
                throw new PermanentLoadException(version, $"{version} cannot be loaded: {ex.Message}", ex);
            }
        }
        metrics.RecordLoad(version, Stopwatch.GetElapsedTime(started));
        try
        {
            // Warm-up: the first runs of a session allocate its arenas; no request should pay for that.
            using var warmup = MogFaceTracing.Source.StartActivity("mogface.warmup");
            started = Stopwatch.GetTimestamp();
            var problem = model.Pipeline.SmokeTest();
            if (problem is not null)
                throw new PermanentLoadException(version, $"Warm-up of {version} produced non-finite outputs: {problem}");
            model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock());
            metrics.RecordWarmup(version, Stopwatch.GetElapsedTime(started));
            logger.LogInformation("Loaded {Version} on {Provider}", version, model.Provider);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Deletes cached files of versions no longer served, and forgets them.</summary>
    public void PruneCache(IReadOnlyCollection<string> servedVersions)
    {
        foreach (var version in _shaByVersion.Keys.Except(servedVersions))
            _shaByVersion.TryRemove(version, out _);
        // The cache is keyed by sha256; the record of each served version has it.
        cache.Prune(servedVersions.Select(v => _shaByVersion.GetValueOrDefault(v)).OfType<string>().ToList());
    }

    /// <summary>
    /// The verified cache file of <paramref name="version"/>. A download that does not hash right may be torn, so it
    /// is fetched once more; the same again means the stored bytes are not the version's: permanent.
    /// </summary>
    private async Task<string> DownloadVerifiedAsync(string version, string sha256, CancellationToken cancellationToken)
    {
        Task Download(Stream stream, CancellationToken token) => registry.DownloadModelAsync(version, stream, token);
        try
        {
            return await cache.EnsureAsync(sha256, Download, cancellationToken);
        }
        catch (ModelIntegrityException first)
        {
            logger.LogWarning("The download of {Version} does not hash to its sha256 ({Error}); downloading it once more", version, first.Message);
        }
        try
        {
            return await cache.EnsureAsync(sha256, Download, cancellationToken);
        }
        catch (ModelIntegrityException again)
        {
            throw new PermanentLoadException(version, $"The stored bytes of {version} do not hash to its sha256, downloaded twice: {again.Message}", again);
        }
    }
}
