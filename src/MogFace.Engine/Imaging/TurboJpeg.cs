using System.Runtime.InteropServices;

namespace MogFace.Engine.Imaging;

/// <summary>
/// The system's libjpeg-turbo through its TurboJPEG API (Debian's <c>libturbojpeg0</c>; Debian's OpenCV decodes with
/// the same build's libjpeg API). It is built with libjpeg-turbo's SIMD, which the copy inside SkiaSharp is not: on
/// the 1920×1080 benchmark photo it decodes in about 0.4× Skia's time, and its pixels are Skia's and OpenCV's
/// byte for byte (same islow IDCT, same fancy upsampling; docs/benchmarks.md, "JPEG decoder choice"). Optional:
/// where the library is not installed (or not Linux) <see cref="IsAvailable"/> is false and
/// <see cref="ScaledJpegDecoder"/> decodes with Skia instead.
/// </summary>
internal static class TurboJpeg
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatRgb = 0; // TJPF_RGB
    private const int ErrorFatal = 1; // TJERR_FATAL; TJERR_WARNING (0) leaves a complete image

    private static readonly Lazy<bool> Loaded = new(Probe);

    /// <summary>True when libturbojpeg is installed and exports the calls used here.</summary>
    public static bool IsAvailable => Loaded.Value;

    /// <summary>What decodes JPEG pixels in this process, as reported by benchmarks and logs.</summary>
    public static string DecoderName => IsAvailable ? "libjpeg-turbo (system libturbojpeg)" : "libjpeg-turbo (SkiaSharp)";

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(Library, out var handle))
            return false;
        return NativeLibrary.TryGetExport(handle, "tjInitDecompress", out _)
            && NativeLibrary.TryGetExport(handle, "tjDecompress2", out _)
            && NativeLibrary.TryGetExport(handle, "tjGetErrorCode", out _);
    }

    /// <summary>How a decode went: <see cref="Clean"/>, or with a warning (corrupt or missing data, an image came
    /// out all the same), or refused; <see cref="Message"/> is the library's word for the last two.</summary>
    internal readonly record struct Outcome(bool Decoded, string? Message)
    {
        public bool Clean => Decoded && Message is null;
        public bool Warned => Decoded && Message is not null;
    }

    /// <summary>
    /// Decodes <paramref name="jpeg"/> to interleaved RGB, <paramref name="width"/>×<paramref name="height"/> being
    /// the stored size at the chosen DCT scale (libjpeg picks the scale whose size that is).
    /// </summary>
    public static Outcome DecodeRgb(ReadOnlySpan<byte> jpeg, int width, int height, Span<byte> rgb)
    {
        if (rgb.Length < checked(width * height * 3))
            throw new ArgumentException("The RGB buffer is too small.", nameof(rgb));
        var handle = tjInitDecompress();
        if (handle == IntPtr.Zero)
            throw new OutOfMemoryException("libturbojpeg could not allocate a decompressor.");
        try
        {
            var rc = tjDecompress2(handle, ref MemoryMarshal.GetReference(jpeg), (nuint)jpeg.Length,
                ref MemoryMarshal.GetReference(rgb), width, width * 3, height, PixelFormatRgb, 0);
            if (rc == 0)
                return new Outcome(true, null);
            var message = Marshal.PtrToStringAnsi(tjGetErrorStr2(handle)) ?? "libturbojpeg gave no message";
            return new Outcome(tjGetErrorCode(handle) != ErrorFatal, message);
        }
        finally
        {
            tjDestroy(handle);
        }
    }

    [DllImport(Library)]
    private static extern IntPtr tjInitDecompress();

    [DllImport(Library)]
    private static extern int tjDecompress2(IntPtr handle, ref byte jpeg, nuint jpegSize, ref byte destination,
        int width, int pitch, int height, int pixelFormat, int flags);

    [DllImport(Library)]
    private static extern int tjGetErrorCode(IntPtr handle);

    [DllImport(Library)]
    private static extern IntPtr tjGetErrorStr2(IntPtr handle);

    [DllImport(Library)]
    private static extern int tjDestroy(IntPtr handle);
}
