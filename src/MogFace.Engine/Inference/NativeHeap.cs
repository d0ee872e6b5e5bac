using System.Runtime.InteropServices;

namespace MogFace.Engine.Inference;

/// <summary>
/// Gives freed native heap back to the OS after a session is disposed. ONNX Runtime frees a session's
/// buffers, but glibc keeps the freed pages in its arenas, so resident memory creeps up swap after swap
/// (measured: +75 MB RSS over 30 BlazeFace swaps without this, flat with it). Linux/glibc only; elsewhere a
/// no-op (musl has no malloc_trim, Windows and macOS return memory on their own).
/// </summary>
public static class NativeHeap
{
    private static int _unsupported;

    public static void Trim()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _unsupported) != 0)
            return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unsupported, 1);
        }
    }

    /// <summary>Blocks of this size or more are mapped on their own and unmapped when freed.</summary>
    public const int MappedFromBytes = 1024 * 1024;

    /// <summary>Free memory an arena keeps at its top before it gives pages back (glibc's default is 128 KiB).</summary>
    public const int ArenaKeepsBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Makes glibc map every block of 1 MiB or more on its own (mmap) and unmap it when freed. By default glibc
    /// raises that threshold to the size of the last large block freed, up to 32 MiB, and serves blocks below it from
    /// its arenas, which keep freed pages resident; request bodies in native memory (tens of MiB, one per request)
    /// would then stay resident after their request. Setting the threshold also turns that adjustment off, which
    /// leaves the arenas' trim threshold at 128 KiB: every decode's native workspace under 1 MiB (libjpeg-turbo's
    /// coefficient arrays for a progressive JPEG, Skia's copy of the file) was then given back when freed and faulted
    /// in and zeroed again by the next decode, which doubled a 512×512 progressive JPEG's decode (docs/benchmarks.md).
    /// So an arena now keeps up to <see cref="ArenaKeepsBytes"/> free: about that much per decoding thread, bounded
    /// because anything of 1 MiB or more is mapped. Called by the engine before its first decode and by the HTTP
    /// bodies before their first block; Linux/glibc only, a no-op elsewhere.
    /// </summary>
    public static void MapLargeBlocks()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _unsupported) != 0)
            return;
        try
        {
            MallOpt(MmapThreshold, MappedFromBytes);
            MallOpt(TrimThreshold, ArenaKeepsBytes);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unsupported, 1);
        }
    }

    private const int MmapThreshold = -3, TrimThreshold = -1; // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD in malloc.h

    /// <summary>Trims on a thread-pool thread: the request that released the last lease does not wait for it.</summary>
    public static void TrimInBackground() =>
        ThreadPool.UnsafeQueueUserWorkItem(static _ => Trim(), null);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
