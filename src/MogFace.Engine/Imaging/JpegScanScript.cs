namespace MogFace.Engine.Imaging;

/// <summary>
/// A progressive JPEG is a series of scans, each adding coefficient bands or bits; encoders (libjpeg's default
/// script included) always end with every coefficient of every component fully refined (successive approximation
/// down to bit 0). A progressive file cut short and given an appended FF D9 ends without its last scans and still
/// decodes, blurred or grey-tinted: this reads only the frame and scan headers to tell. A file whose script is
/// incomplete by design would be refused too; no encoder in common use writes one.
/// </summary>
internal static class JpegScanScript
{
    /// <summary>Null when the file is not progressive or its scans refine every coefficient; else what is missing.</summary>
    public static string? MissingScans(ReadOnlySpan<byte> jpeg)
    {
        try
        {
            return Walk(jpeg);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // a structure this walker does not model: the decoder has the last word
        }
    }

    private static string? Walk(ReadOnlySpan<byte> jpeg)
    {
        Dictionary<int, int[]>? lowestBit = null; // component id → per coefficient, the lowest bit any scan reached
        var segments = new JpegSegments(jpeg);
        while (segments.MoveNext())
        {
            var marker = segments.Marker;
            var segment = segments.Payload;
            if (marker is 0xC0 or 0xC1 or 0xC3 or (>= 0xC5 and <= 0xCF and not 0xC8 and not 0xCC))
                return null; // not progressive Huffman: nothing to judge here
            if (marker == 0xC2)
            {
                lowestBit = new Dictionary<int, int[]>();
                for (var i = 0; i < segment[5]; i++)
                    lowestBit[segment[6 + 3 * i]] = Enumerable.Repeat(int.MaxValue, 64).ToArray();
            }
            else if (marker == 0xDA && lowestBit is not null)
            {
                int count = segment[0], start = segment[1 + 2 * count], end = segment[2 + 2 * count], low = segment[3 + 2 * count] & 15;
                for (var i = 0; i < count; i++)
                {
                    if (!lowestBit.TryGetValue(segment[1 + 2 * i], out var bits))
                        return null;
                    for (var k = start; k <= Math.Min(end, 63); k++)
                        bits[k] = Math.Min(bits[k], low);
                }
            }
        }
        if (lowestBit is null)
            return null;
        var unrefined = lowestBit.Sum(c => c.Value.Count(bit => bit != 0));
        return unrefined == 0
            ? null
            : $"its progressive scans stop early: {unrefined} of {64 * lowestBit.Count} coefficients are not fully refined";
    }
}
