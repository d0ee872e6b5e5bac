using MogFace.Engine.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MogFace.Engine.Imaging;

/// <summary>
/// The JPEG fast path: SkiaSharp's codec, i.e. libjpeg-turbo (islow IDCT, fancy upsampling), which gives the same
/// RGB as OpenCV's <c>cv2.imdecode</c> byte for byte and can decode at 1/2, 1/4 or 1/8 scale inside the IDCT
/// (docs/benchmarks.md, "JPEG decoder choice"). The caller (<see cref="ImageIntake"/>) has checked the format,
/// the header's pixel count and truncation before this runs. EXIF orientation is applied while the pixels are
/// copied out; no colour-profile conversion (as OpenCV and ImageSharp 2.x).
/// </summary>
internal static class SkiaJpegDecoder
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

    /// <exception cref="ImageInputException">The codec refuses the data or finds it incomplete.</exception>
    public static DecodedImage Decode(ReadOnlySpan<byte> jpeg, Func<int, int, (int Width, int Height)>? sampled)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageInputException(ImageInputError.Undecodable, "The JPEG image could not be decoded: its header is not readable.");
        var plan = PlanFor(codec, sampled);
        int width = plan.StoredWidth, height = plan.StoredHeight;
        var rgbaLength = checked(width * height * 4);
        var rgba = DetectionBuffers<byte>.Rent(rgbaLength);
        byte[]? rgb = null;
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
            var rgbLength = width * height * 3;
            rgb = DetectionBuffers<byte>.Rent(rgbLength);
            ExifOrientation.CopyToRgb(rgba.AsSpan(0, rgbaLength), width, height, plan.Orientation, rgb.AsSpan(0, rgbLength));
            var (displayedWidth, displayedHeight) = ExifOrientation.Displayed(width, height, plan.Orientation);
            var pixels = new RgbPixels(displayedWidth, displayedHeight, rgb.AsMemory(0, rgbLength), plan.SourceWidth, plan.SourceHeight);
            var decoded = new DecodedImage(pixels, rgb, plan.Denominator);
            rgb = null;
            return decoded;
        }
        finally
        {
            DetectionBuffers<byte>.Return(rgba);
            if (rgb is not null)
                DetectionBuffers<byte>.Return(rgb);
        }
    }
}
