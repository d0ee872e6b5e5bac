using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Interleaved 8-bit RGB pixels, row-major: what every family's preprocessing reads. The pixels may stand for a
/// larger image (<see cref="SourceWidth"/>×<see cref="SourceHeight"/>) when a JPEG was decoded at a reduced DCT
/// scale: the families choose their input size and map boxes from the source size, and sample these pixels.
/// </summary>
public readonly struct RgbPixels
{
    public RgbPixels(int width, int height, ReadOnlyMemory<byte> data)
        : this(width, height, data, width, height)
    {
    }

    public RgbPixels(int width, int height, ReadOnlyMemory<byte> data, int sourceWidth, int sourceHeight)
    {
        if (data.Length != width * height * 3)
            throw new ArgumentException($"Expected {width * height * 3} bytes for {width}×{height} RGB, got {data.Length}.", nameof(data));
        if (sourceWidth < width || sourceHeight < height)
            throw new ArgumentException($"A {width}×{height} decode cannot stand for a smaller {sourceWidth}×{sourceHeight} image.");
        Width = width;
        Height = height;
        Data = data;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
    }

    /// <summary>Width of the pixels held.</summary>
    public int Width { get; }

    /// <summary>Height of the pixels held.</summary>
    public int Height { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Width of the image these pixels stand for (the upload, EXIF-oriented); boxes are in this space.</summary>
    public int SourceWidth { get; }

    /// <summary>Height of the image these pixels stand for.</summary>
    public int SourceHeight { get; }

    /// <summary>True when the pixels are the image at full size.</summary>
    public bool IsFullSize => Width == SourceWidth && Height == SourceHeight;

    /// <summary>A view over the image's own buffer when it is contiguous (the intake asks for that), else a copy.</summary>
    public static RgbPixels From(Image<Rgb24> image)
    {
        if (image.DangerousTryGetSinglePixelMemory(out var memory))
            return new RgbPixels(image.Width, image.Height, new CastMemoryManager<Rgb24, byte>(memory).Memory);
        var copy = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(copy);
        return new RgbPixels(image.Width, image.Height, MemoryMarshal.AsBytes(copy.AsSpan()).ToArray());
    }
}

/// <summary>Reinterprets a memory of one unmanaged type as another without copying.</summary>
internal sealed class CastMemoryManager<TFrom, TTo>(Memory<TFrom> from) : System.Buffers.MemoryManager<TTo>
    where TFrom : unmanaged
    where TTo : unmanaged
{
    public override Span<TTo> GetSpan() => MemoryMarshal.Cast<TFrom, TTo>(from.Span);
    public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();
    public override void Unpin() { }
    protected override void Dispose(bool disposing) { }
}
