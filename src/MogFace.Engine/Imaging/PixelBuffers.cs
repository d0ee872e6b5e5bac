using System.Buffers;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Decode buffers: pooled up to <see cref="MaxPooledBytes"/>, so ordinary photos allocate no large array per
/// request, and allocated (then left to the GC) above it: .NET's shared pool keeps arrays up to 1 GiB, rounded up
/// to a power of two, per core, and a 6000² decode (256 MiB) kept there would hold that memory after a burst
/// (docs/operations.md, memory ceiling).
/// </summary>
internal static class PixelBuffers
{
    /// <summary>32 MiB: a 8-megapixel RGBA decode (a 1/4-scale decode of anything up to 128 MP stays under it).</summary>
    public const int MaxPooledBytes = 32 * 1024 * 1024;

    public static byte[] Rent(int length) =>
        length <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledBytes)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
