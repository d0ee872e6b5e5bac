using System.Runtime.Intrinsics;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Copies RGBA or RGB pixels as stored in a JPEG into RGB pixels as a viewer shows them, applying the EXIF
/// orientation (1–8) on the way: one pass, no intermediate image. Each orientation is a start offset and two strides
/// in the stored image: the displayed pixel (x, y) is stored at <c>start + x·stepX + y·stepY</c>.
/// </summary>
internal static class ExifOrientation
{
    /// <summary>Orientations 5–8 swap width and height.</summary>
    public static bool Transposes(int orientation) => orientation is >= 5 and <= 8;

    public static (int Width, int Height) Displayed(int storedWidth, int storedHeight, int orientation) =>
        Transposes(orientation) ? (storedHeight, storedWidth) : (storedWidth, storedHeight);

    /// <summary>
    /// <paramref name="stored"/> is <paramref name="width"/>×<paramref name="height"/> as stored, <paramref name="channels"/>
    /// bytes a pixel (4: RGBA, 3: RGB); <paramref name="rgb"/> receives the displayed image (<see cref="Displayed"/>
    /// size). Unknown orientations count as 1 (as stored).
    /// </summary>
    public static void CopyToRgb(ReadOnlySpan<byte> stored, int channels, int width, int height, int orientation, Span<byte> rgb)
    {
        if (channels is not (3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "RGB (3) or RGBA (4).");
        if (stored.Length < width * height * channels || rgb.Length < width * height * 3)
            throw new ArgumentException("Pixel buffers are too small.");
        int c = channels, row = width * c, last = width - 1, bottom = (height - 1) * row;
        var (start, stepX, stepY) = orientation switch
        {
            2 => (last * c, -c, row),
            3 => (bottom + last * c, -c, -row),
            4 => (bottom, c, -row),
            5 => (0, row, c),
            6 => (bottom, -row, c),
            7 => (bottom + last * c, -row, -c),
            8 => (last * c, row, -c),
            _ => (0, c, row),
        };
        if (start == 0 && stepX == c)
        {
            if (c == 4)
                DropAlpha(stored[..(width * height * 4)], rgb);
            else
                stored[..(width * height * 3)].CopyTo(rgb);
            return;
        }
        var (displayedWidth, displayedHeight) = Displayed(width, height, orientation);
        var o = 0;
        for (var y = 0; y < displayedHeight; y++)
        {
            var s = start + y * stepY;
            for (var x = 0; x < displayedWidth; x++, s += stepX, o += 3)
            {
                rgb[o] = stored[s];
                rgb[o + 1] = stored[s + 1];
                rgb[o + 2] = stored[s + 2];
            }
        }
    }

    /// <summary>RGBA → RGB, four pixels per shuffle where the hardware has one.</summary>
    private static void DropAlpha(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        var pixels = rgba.Length / 4;
        var p = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var keep = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0, 0, 0, 0);
            // Each store writes 16 bytes of which 12 count; stop while 4 spare bytes remain in the target.
            for (; p + 4 <= pixels && 3 * p + 16 <= rgb.Length; p += 4)
                Vector128.Shuffle(Vector128.Create(rgba.Slice(4 * p, 16)), keep).CopyTo(rgb.Slice(3 * p, 16));
        }
        for (; p < pixels; p++)
        {
            rgb[3 * p] = rgba[4 * p];
            rgb[3 * p + 1] = rgba[4 * p + 1];
            rgb[3 * p + 2] = rgba[4 * p + 2];
        }
    }
}
