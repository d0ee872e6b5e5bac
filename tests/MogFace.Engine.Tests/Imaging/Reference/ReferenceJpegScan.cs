using System.Buffers.Binary;

using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Imaging.Reference;

/// <summary>
/// The walk as it was before issue 14 made it faster, kept only as the differential tests' reference (verbatim but for the name).
///
/// Walks the Huffman-coded data of a baseline JPEG (SOF0/SOF1, one scan with every component) counting blocks,
/// without dequantising or transforming anything, to tell whether every MCU the frame header promises is there
/// (measured here: 14 ms for a 300 KB photo whose decode takes 330 ms; 300 ms for an 8 MB, 12 MP noise image
/// whose decode takes 580 ms, the worst case, every coefficient set). A JPEG cut short and given an appended
/// FF D9 passes the end-marker test, and ImageSharp fills the missing MCUs with flat colour. Anything this
/// walker does not model (progressive or arithmetic coding, several scans, a malformed table) answers "cannot
/// tell" (null): it only ever refuses a file it has proved short.
/// </summary>
internal static class ReferenceJpegScan
{
    private sealed record Component(int Id, int H, int V);

    /// <summary>Null when the scan is complete or cannot be judged; else how much is missing.</summary>
    public static string? MissingData(ReadOnlySpan<byte> jpeg)
    {
        try
        {
            return Walk(jpeg);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException)
        {
            return null; // a structure this walker does not model: the decoder has the last word
        }
    }

    private static string? Walk(ReadOnlySpan<byte> jpeg)
    {
        var tables = new ReferenceJpegHuffmanTable?[8]; // DC 0..3, AC 4..7
        Component[]? components = null;
        int width = 0, height = 0, restartInterval = 0;
        var segments = new JpegSegments(jpeg);
        while (segments.MoveNext())
        {
            var segment = segments.Payload;
            switch (segments.Marker)
            {
                case 0xC0 or 0xC1:
                    height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                    width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                    components = new Component[segment[5]];
                    for (var i = 0; i < components.Length; i++)
                        components[i] = new Component(segment[6 + 3 * i], segment[7 + 3 * i] >> 4, segment[7 + 3 * i] & 15);
                    break;
                case >= 0xC2 and <= 0xCF when segments.Marker is not 0xC4 and not 0xC8 and not 0xCC:
                    return null; // progressive, lossless or arithmetic: not modelled
                case 0xC4:
                    for (var offset = 0; offset < segment.Length;)
                    {
                        var (table, used) = ReferenceJpegHuffmanTable.Read(segment[offset..]);
                        var slot = ((segment[offset] >> 4) == 0 ? 0 : 4) + (segment[offset] & 3);
                        tables[slot] = table;
                        offset += used;
                    }
                    break;
                case 0xDD:
                    restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case 0xDA:
                    if (components is null || width == 0 || height == 0 || segment[0] != components.Length)
                        return null; // several scans (or none declared): not modelled
                    var order = new (Component Component, ReferenceJpegHuffmanTable Dc, ReferenceJpegHuffmanTable Ac)[components.Length];
                    for (var i = 0; i < order.Length; i++)
                    {
                        var id = segment[1 + 2 * i];
                        var selectors = segment[2 + 2 * i];
                        var component = Array.Find(components, c => c.Id == id);
                        if (component is null || tables[selectors >> 4 & 3] is not { } dc || tables[4 + (selectors & 3)] is not { } ac)
                            return null;
                        order[i] = (component, dc, ac);
                    }
                    return CountMcus(jpeg[segments.End..], order, width, height, restartInterval);
            }
        }
        return null;
    }

    private static string? CountMcus(ReadOnlySpan<byte> data, (Component Component, ReferenceJpegHuffmanTable Dc, ReferenceJpegHuffmanTable Ac)[] scan, int width, int height, int restartInterval)
    {
        int hMax = 1, vMax = 1;
        foreach (var (c, _, _) in scan)
        {
            hMax = Math.Max(hMax, c.H);
            vMax = Math.Max(vMax, c.V);
        }
        // One component alone is not interleaved: its MCU is one block, over its own (subsampled) size.
        long mcus = scan.Length == 1
            ? (long)((width * scan[0].Component.H + hMax - 1) / hMax + 7) / 8 * (((height * scan[0].Component.V + vMax - 1) / vMax + 7) / 8)
            : (long)((width + 8 * hMax - 1) / (8 * hMax)) * ((height + 8 * vMax - 1) / (8 * vMax));
        var reader = new ReferenceJpegBitReader(data);
        for (long mcu = 0; mcu < mcus; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0 && !reader.SkipRestartMarker())
                return $"scan data ends after {mcu} of {mcus} MCUs";
            foreach (var (component, dc, ac) in scan)
            {
                var blocks = scan.Length == 1 ? 1 : component.H * component.V;
                for (var b = 0; b < blocks; b++)
                {
                    if (!SkipBlock(ref reader, dc, ac))
                        return $"scan data ends after {mcu} of {mcus} MCUs";
                }
            }
        }
        return null;
    }

    /// <summary>One 8×8 block: a DC difference, then AC run/size pairs up to end-of-block or 63 coefficients.</summary>
    private static bool SkipBlock(ref ReferenceJpegBitReader reader, ReferenceJpegHuffmanTable dc, ReferenceJpegHuffmanTable ac)
    {
        var size = dc.Decode(ref reader);
        if (size < 0 || !reader.Skip(size))
            return false;
        for (var k = 1; k < 64;)
        {
            var symbol = ac.Decode(ref reader);
            if (symbol < 0)
                return false;
            int run = symbol >> 4, bits = symbol & 15;
            if (bits == 0)
            {
                if (run != 15)
                    return true; // end of block
                k += 16;
                continue;
            }
            if (!reader.Skip(bits))
                return false;
            k += run + 1;
        }
        return true;
    }
}
