using System.Buffers;
using System.Runtime.CompilerServices;

namespace MogFace.Engine.Buffers;

/// <summary>
/// The arrays one detection works in: decoded pixels, the resized and normalised input, the model's outputs. Up to
/// <see cref="SharedUpToBytes"/> they come from the shared pool. Larger ones come from a pool of their own that keeps
/// at most <see cref="ArraysPerSize"/> arrays of each power-of-two size, because the shared pool keeps one array of
/// every size on every thread that gave one back, and frees them only after a full collection: in issue 12's soak
/// (6000² JPEGs run by YuNet at 1280 px, ~90 MB of arrays each, on a dozen thread-pool threads) that held 1.4 GB.
/// Above <see cref="MaxPooledBytes"/> an array is allocated and left to the GC: .NET's pools would keep a 6000² decode
/// (256 MiB) after a burst. Such arrays wait in the large-object heap until a full collection, which nothing else
/// may start for a long time, so once <see cref="CollectAfterBytes"/> of them have been given back a background
/// collection is started. What this keeps is bounded: under <see cref="ArraysPerSize"/> × 64 MiB per element type in
/// the pool, and about <see cref="CollectAfterBytes"/> of finished large arrays (docs/operations.md, memory ceiling).
/// </summary>
public static class DetectionBuffers<T> where T : unmanaged
{
    /// <summary>1 MiB: what the shared pool's per-thread caches may keep of each size.</summary>
    public const int SharedUpToBytes = 1024 * 1024;

    /// <summary>32 MiB: a 8-megapixel RGBA decode (a 1/4-scale decode of anything up to 128 MP stays under it), or YuNet's 1280² input twice over.</summary>
    public const int MaxPooledBytes = 32 * 1024 * 1024;

    /// <summary>Arrays kept per size: two per default detection slot (a detection holds two of a size at most, its resized image and its input).</summary>
    public static int ArraysPerSize { get; } = 2 * Environment.ProcessorCount;

    private static readonly ArrayPool<T> Large = ArrayPool<T>.Create(MaxPooledBytes / Unsafe.SizeOf<T>(), ArraysPerSize);

    /// <summary>256 MiB of finished arrays over <see cref="MaxPooledBytes"/> start a background full collection.</summary>
    public const long CollectAfterBytes = 256L * 1024 * 1024;

    private static long _unpooledReturned;
    private static int _collectionsStarted;

    /// <summary>How many background full collections the arrays given back have started (the runtime counts a background collection only once it runs).</summary>
    internal static int CollectionsStarted => Volatile.Read(ref _collectionsStarted);

    public static T[] Rent(int length) => Bytes(length) switch
    {
        <= SharedUpToBytes => ArrayPool<T>.Shared.Rent(length),
        <= MaxPooledBytes => Large.Rent(length),
        _ => GC.AllocateUninitializedArray<T>(length),
    };

    public static void Return(T[] array)
    {
        switch (Bytes(array.Length))
        {
            case <= SharedUpToBytes:
                ArrayPool<T>.Shared.Return(array);
                break;
            case <= MaxPooledBytes:
                Large.Return(array);
                break;
            case var bytes:
                CountUnpooled(bytes);
                break;
        }
    }

    /// <summary>Left to the GC: once <see cref="CollectAfterBytes"/> of such arrays are back, a background full collection takes them.</summary>
    private static void CountUnpooled(long bytes)
    {
        if (Interlocked.Add(ref _unpooledReturned, bytes) < CollectAfterBytes)
            return;
        Interlocked.Exchange(ref _unpooledReturned, 0);
        Interlocked.Increment(ref _collectionsStarted);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
    }

    private static long Bytes(int length) => (long)length * Unsafe.SizeOf<T>();
}
