using MogFace.Engine.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MogFace.Engine.Imaging;

/// <summary>
/// The JPEG fast path, libjpeg-turbo either way (islow IDCT, fancy upsampling: the same RGB as OpenCV's
/// <c>cv2.imdecode</c> byte for byte, and decodes at 1/2, 1/4 or 1/8 scale inside the IDCT; docs/benchmarks.md,
/// "JPEG decoder choice"). SkiaSharp's codec reads the header (size, EXIF orientation) and plans the scale; the
/// pixels come from the system's SIMD build (<see cref="TurboJpeg"/>) when it is installed, else from the copy
/// inside SkiaSharp, and from Skia too for any image the system library refuses. The caller
/// (<see cref="ImageIntake"/>) has checked the format, the header's pixel count and the end-of-image marker before
/// this runs, and the scan data too unless it leaves that walk to <see cref="Decode(ReadOnlySpan{byte}, Func{int, int, ValueTuple{int, int}}?, bool)"/>.
/// EXIF orientation is applied while the pixels are copied out; no colour-profile conversion (as OpenCV and
/// ImageSharp 2.x).
/// </summary>
internal static class ScaledJpegDecoder
{
    /// <summary>What a decode will produce: the scale, the stored (pre-orientation) size at that scale, and the displayed full size.</summary>
    internal readonly record struct Plan(int Denominator, int StoredWidth, int StoredHeight, int Orientation, int SourceWidth, int SourceHeight)
    {
        public long DecodedPixels => (long)StoredWidth * StoredHeight;
    }

    /// <summary>
    /// The plan for <paramref name="jpeg"/> given the pixels its consumer samples from the displayed full-size
    /// image (null: full size); null when the codec cannot read the header.
    /// </summary>
    public static Plan? PlanFor(ReadOnlySpan<byte> jpeg, Func<int, int, (int Width, int Height)>? sampled)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data);
        return codec is null ? null : PlanFor(codec, sampled);
    }

    private static Plan PlanFor(SKCodec codec, Func<int, int, (int Width, int Height)>? sampled)
    {
        int storedWidth = codec.Info.Width, storedHeight = codec.Info.Height, orientation = (int)codec.EncodedOrigin;
        var (width, height) = ExifOrientation.Displayed(storedWidth, storedHeight, orientation);
        var denominator = 1;
        if (sampled is not null)
        {
            var (neededWidth, neededHeight) = sampled(width, height);
            denominator = JpegDecodeScale.Denominator(width, height, neededWidth, neededHeight);
        }
        var scaled = codec.GetScaledDimensions(1f / denominator);
        var (expectedWidth, expectedHeight) = JpegDecodeScale.ScaledSize(storedWidth, storedHeight, denominator);
        if (scaled.Width != expectedWidth || scaled.Height != expectedHeight)
            (denominator, scaled) = (1, new SKSizeI(storedWidth, storedHeight)); // the codec would not scale exactly so: decode in full
        return new Plan(denominator, scaled.Width, scaled.Height, orientation, width, height);
    }

    /// <summary>
    /// True when <see cref="Decode"/> can take over the scan-data walk (<see cref="TruncationCheck.JpegScanData"/>):
    /// the system library reports every scan that runs out of data, so the walk runs only on the files it warns about.
    /// </summary>
    public static bool WalksScanDataOnWarning => TurboJpeg.IsAvailable;

    /// <summary>
    /// Decodes at the planned scale. <paramref name="scanWalked"/> says whether the caller already walked the scan data;
    /// when it did not, this walks it before any decode by Skia and after a decode the system library warned about.
    /// </summary>
    /// <exception cref="ImageInputException">The codec refuses the data or finds it incomplete.</exception>
    public static DecodedImage Decode(ReadOnlySpan<byte> jpeg, Func<int, int, (int Width, int Height)>? sampled, bool scanWalked) =>
        Decode(jpeg, sampled, scanWalked, preferSystemLibrary: true);

    /// <summary><paramref name="preferSystemLibrary"/> false: Skia's pixels even where the system library is installed (the tests compare the two).</summary>
    internal static DecodedImage Decode(ReadOnlySpan<byte> jpeg, Func<int, int, (int Width, int Height)>? sampled, bool scanWalked, bool preferSystemLibrary)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageInputException(ImageInputError.Undecodable, "The JPEG image could not be decoded: its header is not readable.");
        var plan = PlanFor(codec, sampled);
        var rgbLength = checked(plan.StoredWidth * plan.StoredHeight * 3);
        var rgb = DetectionBuffers<byte>.Rent(rgbLength);
        try
        {
            if (!preferSystemLibrary || !TryDecodeWithSystemLibrary(jpeg, plan, scanWalked, rgb.AsSpan(0, rgbLength)))
            {
                if (!scanWalked)
                    RefuseCutScan(jpeg);
                DecodeWithSkia(codec, plan, rgb.AsSpan(0, rgbLength));
            }
            var (displayedWidth, displayedHeight) = ExifOrientation.Displayed(plan.StoredWidth, plan.StoredHeight, plan.Orientation);
            var pixels = new RgbPixels(displayedWidth, displayedHeight, rgb.AsMemory(0, rgbLength), plan.SourceWidth, plan.SourceHeight);
            var decoded = new DecodedImage(pixels, rgb, plan.Denominator);
            rgb = null;
            return decoded;
        }
        finally
        {
            if (rgb is not null)
                DetectionBuffers<byte>.Return(rgb);
        }
    }

    private static void RefuseCutScan(ReadOnlySpan<byte> jpeg)
    {
        if (TruncationCheck.JpegScanData(jpeg) is { } truncated)
            throw new ImageInputException(ImageInputError.Undecodable, truncated);
    }

    /// <summary>
    /// The system libjpeg-turbo's decode into <paramref name="rgb"/> (displayed orientation); false when it is not
    /// installed, when a tiny image leaves libjpeg's choice of scale ambiguous (a larger scale giving the same size),
    /// or when it refuses the data: Skia then decodes it, so an image it cannot read (e.g. CMYK) is answered as before.
    /// A decode with a warning (data corrupt or missing) stands only if the scan walk finds every MCU.
    /// </summary>
    private static bool TryDecodeWithSystemLibrary(ReadOnlySpan<byte> jpeg, Plan plan, bool scanWalked, Span<byte> rgb)
    {
        if (!TurboJpeg.IsAvailable || (plan.Denominator > 1 && Math.Max(plan.SourceWidth, plan.SourceHeight) < 16))
            return false;
        int width = plan.StoredWidth, height = plan.StoredHeight;
        var oriented = plan.Orientation is 0 or 1;
        var stored = oriented ? null : DetectionBuffers<byte>.Rent(rgb.Length);
        try
        {
            var outcome = TurboJpeg.DecodeRgb(jpeg, width, height, oriented ? rgb : stored.AsSpan(0, rgb.Length));
            if (!outcome.Decoded)
                return false;
            if (outcome.Warned && !scanWalked)
                RefuseCutScan(jpeg);
            if (!oriented)
                ExifOrientation.CopyToRgb(stored.AsSpan(0, rgb.Length), channels: 3, width, height, plan.Orientation, rgb);
            return true;
        }
        finally
        {
            if (stored is not null)
                DetectionBuffers<byte>.Return(stored);
        }
    }

    private static void DecodeWithSkia(SKCodec codec, Plan plan, Span<byte> rgb)
    {
        int width = plan.StoredWidth, height = plan.StoredHeight;
        var rgbaLength = checked(width * height * 4);
        var rgba = DetectionBuffers<byte>.Rent(rgbaLength);
        try
        {
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            var pin = GCHandle.Alloc(rgba, GCHandleType.Pinned);
            SKCodecResult result;
            try
            {
                result = codec.GetPixels(info, pin.AddrOfPinnedObject(), width * 4, new SKCodecOptions(SKZeroInitialized.No));
            }
            finally
            {
                pin.Free();
            }
            if (result != SKCodecResult.Success)
                throw new ImageInputException(ImageInputError.Undecodable, result == SKCodecResult.IncompleteInput
                    ? "The JPEG image is truncated (the decoder ran out of data)."
                    : $"The JPEG image could not be decoded ({result}).");
            ExifOrientation.CopyToRgb(rgba.AsSpan(0, rgbaLength), channels: 4, width, height, plan.Orientation, rgb);
        }
        finally
        {
            DetectionBuffers<byte>.Return(rgba);
        }
    }
}
