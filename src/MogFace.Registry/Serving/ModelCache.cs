using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Serving;

/// <summary>
/// The instance's local, content-addressed model files: <c>&lt;dir&gt;/&lt;sha256&gt;.onnx</c>. A file
/// only ever appears under its final name by an atomic rename after its hash was checked, so a reader never
/// sees a partial download (tensorflow/serving#1086, triton#356); a file already there is hashed again before
/// use and replaced when it does not match (disk corruption, tampering).
/// </summary>
internal sealed class ModelCache(string directory, ILogger<ModelCache> logger)
{
    private const string Extension = ".onnx";
    private const string TempExtension = ".partial";

    /// <summary>Files a cache keeps besides the ones in use, most recently used first.</summary>
    public const int KeepUnused = 3;

    private int _hits, _downloads, _corrupt;

    public string Directory { get; } = Path.GetFullPath(directory);
    public int Hits => Volatile.Read(ref _hits);
    public int Downloads => Volatile.Read(ref _downloads);
    public int CorruptReplaced => Volatile.Read(ref _corrupt);

    public string PathFor(string sha256) => Path.Combine(Directory, sha256.ToLowerInvariant() + Extension);

    /// <summary>
    /// The path of a verified file with <paramref name="sha256"/>, downloading it with
    /// <paramref name="download"/> (which writes the bytes into the stream it is given) when missing or corrupt.
    /// </summary>
    /// <exception cref="ModelIntegrityException">The downloaded bytes do not match <paramref name="sha256"/>.</exception>
    public async Task<string> EnsureAsync(string sha256, Func<Stream, CancellationToken, Task> download, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathFor(sha256);
        if (File.Exists(path))
        {
            var actual = await HashFileAsync(path, cancellationToken);
            if (string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _hits);
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                return path;
            }
            Interlocked.Increment(ref _corrupt);
            logger.LogWarning("Cached model {Path} hashes to {Actual}, not {Expected}: discarding it and downloading again", path, actual, sha256);
            File.Delete(path);
        }

        var temp = Path.Combine(Directory, $"{sha256}.{Guid.NewGuid():N}{TempExtension}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await download(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
            }
            Interlocked.Increment(ref _downloads);
            var actual = await HashFileAsync(temp, cancellationToken);
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
                throw new ModelIntegrityException($"The downloaded model hashes to {actual}, expected {sha256}: not used.");
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Deletes cached files not in <paramref name="inUse"/> beyond the <see cref="KeepUnused"/> most recent, and stale partial files.</summary>
    public void Prune(IReadOnlyCollection<string> inUse)
    {
        if (!System.IO.Directory.Exists(Directory))
            return;
        var keep = new HashSet<string>(inUse.Select(PathFor), StringComparer.Ordinal);
        var unused = new DirectoryInfo(Directory).EnumerateFiles("*" + Extension)
            .Where(f => !keep.Contains(f.FullName))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Skip(KeepUnused);
        foreach (var file in unused)
            TryDelete(file.FullName);
        foreach (var partial in new DirectoryInfo(Directory).EnumerateFiles("*" + TempExtension)
                     .Where(f => f.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)))
            TryDelete(partial.FullName);
    }

    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            logger.LogDebug(ex, "Could not delete {Path}", path);
        }
        catch (UnauthorizedAccessException ex)
        {
            logger.LogDebug(ex, "Could not delete {Path}", path);
        }
    }
}
