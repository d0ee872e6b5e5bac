using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MogFace.Engine.Imaging;

/// <summary>
/// OpenCV's horizontal INTER_LINEAR pass for float output, <c>p0·(1 − a) + p1·a</c> per element in float32.
/// The source row is first widened to float (exact for 8-bit and float pixels); for 3 channels each output pixel
/// is then one 4-lane load per source pixel, two multiplies and an add, stored as 4 lanes of which the 4th is
/// overwritten by the next pixel. The lanes do the scalar operations in the scalar order (no fused multiply-add),
/// so the result is the scalar one bit for bit.
/// </summary>
internal static class HorizontalLinear
{
    /// <param name="row">One source row, interleaved.</param>
    /// <param name="pixels">Scratch of <c>row.Length + 1</c> floats whose last element is 0 (a 4-lane load of the last pixel reads it).</param>
    /// <param name="into">The output row, <c>taps.Count · channels</c> floats.</param>
    public static void Row<T>(ReadOnlySpan<T> row, int channels, ColumnTaps taps, Span<float> pixels, Span<float> into)
        where T : unmanaged, INumberBase<T>
    {
        if (pixels.Length != row.Length + 1 || into.Length != taps.Count * channels)
            throw new ArgumentException("Row buffers have the wrong size.");
        Widen(row, pixels[..row.Length]);
        var dx = 0;
        if (channels == 3 && Vector128.IsHardwareAccelerated)
            dx = ThreeChannels(pixels, taps, into);
        for (; dx < taps.Count; dx++)
        {
            float a0 = taps.FirstWeight[dx], a1 = taps.SecondWeight[dx];
            int p = taps.First[dx], q = taps.Second[dx], o = dx * channels;
            for (var c = 0; c < channels; c++)
                into[o + c] = pixels[p + c] * a0 + pixels[q + c] * a1;
        }
    }

    /// <summary>All output pixels but the last (whose 4-lane store would pass the row's end); returns how many.</summary>
    private static int ThreeChannels(ReadOnlySpan<float> pixels, ColumnTaps taps, Span<float> into)
    {
        var count = taps.Count - 1;
        // Every offset is at most (W − 1)·3, so a load reads up to element 3W: the scratch's extra element.
        ref var source = ref MemoryMarshal.GetReference(pixels);
        ref var target = ref MemoryMarshal.GetReference(into);
        ref var first = ref MemoryMarshal.GetReference(taps.First);
        ref var second = ref MemoryMarshal.GetReference(taps.Second);
        ref var firstWeight = ref MemoryMarshal.GetReference(taps.FirstWeight);
        ref var secondWeight = ref MemoryMarshal.GetReference(taps.SecondWeight);
        for (var dx = 0; dx < count; dx++)
        {
            var p0 = Vector128.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref first, dx));
            var p1 = Vector128.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref second, dx));
            var blended = p0 * Vector128.Create(Unsafe.Add(ref firstWeight, dx)) + p1 * Vector128.Create(Unsafe.Add(ref secondWeight, dx));
            blended.StoreUnsafe(ref target, (nuint)(3 * dx));
        }
        return Math.Max(count, 0);
    }

    /// <summary>The row as float: 8-bit pixels 32 at a time, float pixels copied, anything else one by one.</summary>
    private static void Widen<T>(ReadOnlySpan<T> row, Span<float> into)
        where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(float))
        {
            MemoryMarshal.Cast<T, float>(row).CopyTo(into);
            return;
        }
        var i = 0;
        if (typeof(T) == typeof(byte) && Vector256.IsHardwareAccelerated)
        {
            var bytes = MemoryMarshal.Cast<T, byte>(row);
            for (; i + Vector256<byte>.Count <= bytes.Length; i += Vector256<byte>.Count)
            {
                var (low, high) = Vector256.Widen(Vector256.Create(bytes.Slice(i, Vector256<byte>.Count)));
                var (a, b) = Vector256.Widen(low);
                var (c, d) = Vector256.Widen(high);
                Vector256.ConvertToSingle(a.AsInt32()).CopyTo(into.Slice(i, 8));
                Vector256.ConvertToSingle(b.AsInt32()).CopyTo(into.Slice(i + 8, 8));
                Vector256.ConvertToSingle(c.AsInt32()).CopyTo(into.Slice(i + 16, 8));
                Vector256.ConvertToSingle(d.AsInt32()).CopyTo(into.Slice(i + 24, 8));
            }
        }
        for (; i < row.Length; i++)
            into[i] = float.CreateTruncating(row[i]);
    }
}
