using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Turns untrusted bytes into RGB pixels: only JPEG, PNG, WebP and BMP (ImageSharp 2.x has had decoder CVEs
/// with crafted files in other formats), dimensions checked from the header before decoding, EXIF
/// orientation applied so coordinates match what a viewer shows. JPEG pixels come from libjpeg-turbo
/// (<see cref="ScaledJpegDecoder"/>: OpenCV's exact output, and scaled decodes); ImageSharp checks every format's
/// header and decodes the others.
/// </summary>
public static class ImageIntake
{
    public static IReadOnlyList<string> SupportedMediaTypes { get; } =
        ["image/jpeg", "image/png", "image/webp", "image/bmp"];

    private static readonly Configuration Accepted = CreateAcceptedConfiguration();

    /// <summary>The decoders' native workspaces stay in glibc's arenas between images (<see cref="NativeHeap.MapLargeBlocks"/>).</summary>
    static ImageIntake() => NativeHeap.MapLargeBlocks();

    /// <summary>Which libjpeg-turbo build decodes JPEG pixels in this process: the system's SIMD one, or SkiaSharp's.</summary>
    public static string JpegDecoder => TurboJpeg.DecoderName;

    private static Configuration CreateAcceptedConfiguration()
    {
        var configuration = new Configuration(
            new JpegConfigurationModule(),
            new PngConfigurationModule(),
            new WebpConfigurationModule(),
            new BmpConfigurationModule())
        {
            // The pipelines read the pixels as one span.
            PreferContiguousImageBuffers = true,
        };
        return configuration;
    }

    /// <summary>Decodes <paramref name="bytes"/> at full size or throws <see cref="ImageInputException"/> (annotation, tools, tests).</summary>
    public static Image<Rgb24> Decode(ReadOnlyMemory<byte> bytes, ImageLimits limits)
    {
        var format = Inspect(bytes, limits);
        if (!IsJpeg(format))
            return LoadWithImageSharp(bytes, format);
        using var decoded = ScaledJpegDecoder.Decode(bytes.Span, sampled: null, scanWalked: !JpegScanWalkDeferred);
        return decoded.ToImage();
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> for detection or throws <see cref="ImageInputException"/>. A JPEG decodes
    /// at the smallest DCT scale that still leaves at least the pixels <paramref name="sampled"/> says its
    /// consumer samples from the full-size (EXIF-oriented) image (<see cref="FaceModel.SampledSize"/>); null decodes
    /// at full size. Every check of <see cref="Decode"/> runs first.
    /// </summary>
    public static DecodedImage DecodeForDetection(ReadOnlyMemory<byte> bytes, ImageLimits limits, Func<int, int, (int Width, int Height)>? sampled)
    {
        var format = Inspect(bytes, limits);
        return IsJpeg(format)
            ? ScaledJpegDecoder.Decode(bytes.Span, sampled, scanWalked: !JpegScanWalkDeferred)
            : new DecodedImage(LoadWithImageSharp(bytes, format));
    }

    /// <summary>
    /// Format, size and completeness checked from the header and container before any pixel is decoded: what the
    /// image may cost is known (and refused) before it is spent. The one exception is a JPEG's scan data where the
    /// system libjpeg-turbo decodes: walked only after a decode that warned (see <see cref="ScaledJpegDecoder"/>).
    /// </summary>
    private static IImageFormat Inspect(ReadOnlyMemory<byte> bytes, ImageLimits limits)
    {
        if (bytes.IsEmpty)
            throw new ImageInputException(ImageInputError.Empty, "The image is empty (0 bytes).");
        if (bytes.Length > limits.MaxBytes)
            throw new ImageInputException(ImageInputError.TooLarge,
                $"The image is {bytes.Length} bytes; the limit is {limits.MaxBytes} bytes.");

        var format = DetectAcceptedFormat(bytes.Span);
        using var stream = new ReadOnlyMemoryStream(bytes);
        IImageInfo? info;
        try
        {
            info = Image.Identify(Accepted, stream);
        }
        catch (Exception ex) when (DecoderFaults.IsInputFault(ex))
        {
            throw new ImageInputException(ImageInputError.Undecodable, $"The {format.Name} image header could not be read: {Reason(ex)}", ex);
        }
        if (info is null || info.Width <= 0 || info.Height <= 0)
            throw new ImageInputException(ImageInputError.Undecodable, $"The {format.Name} image header could not be read.");
        if (TruncationCheck.Problem(format.Name, bytes.Span, walkJpegScan: !JpegScanWalkDeferred) is { } truncated)
            throw new ImageInputException(ImageInputError.Undecodable, truncated);
        var pixels = (long)info.Width * info.Height;
        if (pixels > limits.MaxPixels)
            throw new ImageInputException(ImageInputError.TooManyPixels,
                $"The image is {info.Width}×{info.Height} = {pixels} pixels; the limit is {limits.MaxPixels}.");
        return format;
    }

    private static bool IsJpeg(IImageFormat format) => format is JpegFormat;

    /// <summary>True when a JPEG's scan-data walk is left to the decoder, which runs it on a warning.</summary>
    private static bool JpegScanWalkDeferred => ScaledJpegDecoder.WalksScanDataOnWarning;

    /// <summary>PNG, WebP, BMP: ImageSharp, EXIF orientation applied.</summary>
    private static Image<Rgb24> LoadWithImageSharp(ReadOnlyMemory<byte> bytes, IImageFormat format)
    {
        using var stream = new ReadOnlyMemoryStream(bytes);
        try
        {
            var image = Image.Load<Rgb24>(Accepted, stream);
            image.Mutate(x => x.AutoOrient());
            return image;
        }
        catch (Exception ex) when (DecoderFaults.IsInputFault(ex))
        {
            throw new ImageInputException(ImageInputError.Undecodable, $"The {format.Name} image could not be decoded: {Reason(ex)}", ex);
        }
    }

    /// <summary>The decoder's own message when it reports a format problem; a defect inside it is named, not quoted ("Object reference not set…" says nothing to a client).</summary>
    private static string Reason(Exception ex) => ex is ImageFormatException or InvalidImageContentException or NotSupportedException
        ? ex.Message
        : $"the decoder failed on malformed data ({ex.GetType().Name})";

    /// <summary>
    /// The pixels a decode for detection will produce, from the header alone (what <c>DecodeBudget</c>
    /// counts): a JPEG at the DCT scale <see cref="DecodeForDetection"/> will pick, other formats width × height;
    /// 0 when the header cannot be read, which the decode then reports.
    /// </summary>
    public static long DecodedPixels(ReadOnlyMemory<byte> bytes, Func<int, int, (int Width, int Height)>? sampled)
    {
        try
        {
            using var stream = new ReadOnlyMemoryStream(bytes);
            if (Image.DetectFormat(Accepted, bytes.Span) is JpegFormat)
                return ScaledJpegDecoder.PlanFor(bytes.Span, sampled)?.DecodedPixels ?? 0;
            return Image.Identify(Accepted, stream) is { Width: > 0, Height: > 0 } info ? (long)info.Width * info.Height : 0;
        }
        catch (Exception ex) when (DecoderFaults.IsInputFault(ex))
        {
            return 0;
        }
    }

    /// <summary>Reads the signature bytes and names refused formats instead of calling them garbage.</summary>
    private static IImageFormat DetectAcceptedFormat(ReadOnlySpan<byte> header)
    {
        var accepted = Image.DetectFormat(Accepted, header);
        if (accepted is not null)
            return accepted;
        var known = Image.DetectFormat(Configuration.Default, header);
        if (known is not null)
            throw new ImageInputException(ImageInputError.UnsupportedFormat,
                $"{known.Name} images are not accepted; send JPEG, PNG, WebP or BMP.");
        throw new ImageInputException(ImageInputError.Undecodable,
            "The bytes are not a JPEG, PNG, WebP or BMP image.");
    }

    /// <summary>A read-only stream over memory without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => memory.Length;
        public override long Position { get => _position; set => _position = (int)Math.Clamp(value, 0, memory.Length); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => memory.Length + offset,
            };
            return _position;
        }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
