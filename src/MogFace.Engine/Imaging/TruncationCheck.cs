using System.Buffers.Binary;

namespace MogFace.Engine.Imaging;

/// <summary>
/// ImageSharp 2.x decodes a cut-off file of every accepted format without complaint (the missing part comes out
/// grey or black), which would turn a broken upload into silently wrong boxes. These checks read only the
/// container structure each format declares (chunk lengths, the RIFF size, the bitmap size, the JPEG scan),
/// so they cost microseconds next to the decode, and they refuse only when the file provably ends early.
/// </summary>
internal static class TruncationCheck
{
    /// <summary>
    /// Null when <paramref name="bytes"/> is complete as far as its structure says, else what is missing.
    /// <paramref name="walkJpegScan"/> false leaves out the one check that reads a JPEG's whole scan data
    /// (<see cref="JpegScanData"/>): the caller runs it when the decoder reports damage.
    /// </summary>
    public static string? Problem(string formatName, ReadOnlySpan<byte> bytes, bool walkJpegScan = true) => formatName.ToUpperInvariant() switch
    {
        "PNG" => Png(bytes),
        "WEBP" => Webp(bytes),
        "BMP" => Bmp(bytes),
        "JPEG" => Jpeg(bytes, walkJpegScan),
        _ => null,
    };

    /// <summary>PNG: every chunk (length, type, data, CRC) fits in the file, up to and including IEND.</summary>
    private static string? Png(ReadOnlySpan<byte> png)
    {
        long position = 8; // signature
        while (position + 8 <= png.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(png[(int)position..]);
            var isEnd = png.Slice((int)position + 4, 4).SequenceEqual("IEND"u8);
            position += 12 + length;
            if (position > png.Length)
                return "The PNG image is truncated (a chunk runs past the end of the file).";
            if (isEnd)
                return null;
        }
        return "The PNG image is truncated (no IEND chunk).";
    }

    /// <summary>WebP: the RIFF size and every chunk inside it fit in the file.</summary>
    private static string? Webp(ReadOnlySpan<byte> webp)
    {
        if (webp.Length < 12)
            return "The WebP image is truncated (no RIFF header).";
        long end = 8 + (long)BinaryPrimitives.ReadUInt32LittleEndian(webp[4..]);
        if (end > webp.Length)
            return $"The WebP image is truncated ({webp.Length} of the {end} bytes its RIFF header declares).";
        long position = 12;
        while (position + 8 <= end)
        {
            long size = BinaryPrimitives.ReadUInt32LittleEndian(webp[((int)position + 4)..]);
            position += 8 + size + (size & 1); // chunks are padded to an even size
            if (position > end + (size & 1))
                return "The WebP image is truncated (a chunk runs past the end of the file).";
        }
        return null;
    }

    /// <summary>BMP: the pixel array the header describes fits in the file.</summary>
    private static string? Bmp(ReadOnlySpan<byte> bmp)
    {
        if (bmp.Length < 26)
            return "The BMP image is truncated (incomplete header).";
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(bmp[10..]);
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(bmp[14..]);
        long width, height, required;
        int bitsPerPixel;
        uint compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(bmp[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(bmp[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(bmp[24..]);
        }
        else
        {
            if (bmp.Length < 38)
                return "The BMP image is truncated (incomplete header).";
            width = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bmp[18..]));
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bmp[22..]));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(bmp[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(bmp[30..]);
        }
        if (compression is 0 or 3 or 6) // uncompressed (with or without bit fields): rows padded to 4 bytes
            required = offset + (width * bitsPerPixel + 31) / 32 * 4 * height;
        else // RLE and embedded formats: the header's image size, when it gives one
            required = offset + BinaryPrimitives.ReadUInt32LittleEndian(bmp[34..]);
        return required > bmp.Length
            ? $"The BMP image is truncated ({bmp.Length} of the {required} bytes its header describes)."
            : null;
    }

    /// <summary>
    /// JPEG: an end-of-image marker after the last scan (a plain cut); for baseline files every MCU present in the
    /// scan data, for progressive ones every coefficient refined by the scans (a cut with FF D9 appended, which the
    /// marker test alone lets through).
    /// </summary>
    private static string? Jpeg(ReadOnlySpan<byte> jpeg, bool walkScan)
    {
        if (!JpegHasEndAfterLastScan(jpeg))
            return "The JPEG image is truncated (no end-of-image marker after its last scan).";
        if (walkScan && JpegScanData(jpeg) is { } cut)
            return cut;
        var missing = JpegScanScript.MissingScans(jpeg);
        return missing is not null ? $"The JPEG image is truncated ({missing})." : null;
    }

    /// <summary>
    /// A baseline JPEG's scan data walked code by code: null when every MCU is there, else the refusal. It reads all
    /// of the entropy-coded data (3.7 ms for a 1080p photo), so where libjpeg-turbo decodes through its TurboJPEG API
    /// it runs only when the decoder warns: libjpeg-turbo warns whenever a scan runs out of data.
    /// </summary>
    public static string? JpegScanData(ReadOnlySpan<byte> jpeg) =>
        JpegScan.MissingData(jpeg) is { } missing ? $"The JPEG image is truncated ({missing})." : null;

    /// <summary>
    /// Entropy-coded data byte-stuffs 0xFF, so the markers SOS (FFDA) and EOI (FFD9) are unambiguous: a complete
    /// file has an EOI after its last scan (an EXIF thumbnail's EOI sits before the main scans and does not count).
    /// </summary>
    internal static bool JpegHasEndAfterLastScan(ReadOnlySpan<byte> jpeg)
    {
        var lastScan = jpeg.LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        return lastScan >= 0 && jpeg[lastScan..].IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }
}
