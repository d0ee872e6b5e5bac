using MogFace.Engine.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Pixels decoded for detection and what holds them: a pooled buffer (the JPEG fast path, returned on dispose, so
/// a request allocates no large array) or an ImageSharp image (the other formats).
/// </summary>
public sealed class DecodedImage : IDisposable
{
    private byte[]? _pooled;
    private readonly IDisposable? _owner;

    internal DecodedImage(RgbPixels pixels, byte[] pooled, int denominator)
    {
        Pixels = pixels;
        _pooled = pooled;
        Denominator = denominator;
    }

    internal DecodedImage(Image<Rgb24> image)
    {
        _owner = image;
        Pixels = RgbPixels.From(image);
        Denominator = 1;
    }

    /// <summary>The pixels, and the size of the image they stand for (<see cref="RgbPixels.SourceWidth"/>).</summary>
    public RgbPixels Pixels { get; }

    /// <summary>1, 2, 4 or 8: the DCT scale the JPEG was decoded at (1 for full size and other formats).</summary>
    public int Denominator { get; }

    public int Width => Pixels.SourceWidth;
    public int Height => Pixels.SourceHeight;

    /// <summary>A copy as an ImageSharp image (to draw on and encode), at the size decoded.</summary>
    public Image<Rgb24> ToImage() => Image.LoadPixelData<Rgb24>(Pixels.Data.Span, Pixels.Width, Pixels.Height);

    public void Dispose()
    {
        _owner?.Dispose();
        if (Interlocked.Exchange(ref _pooled, null) is { } pooled)
            DetectionBuffers<byte>.Return(pooled);
    }
}
