using System.Buffers.Binary;

namespace MogFace.Engine.Imaging;

/// <summary>
/// The marker segments of a JPEG from SOI on (fill bytes skipped, entropy-coded data after each scan header skipped),
/// up to EOI or the first byte that is not a marker. Reading past the end throws <see cref="ArgumentOutOfRangeException"/>:
/// the walkers built on it treat a malformed file as "cannot tell" and leave the verdict to the decoder.
/// </summary>
internal ref struct JpegSegments(ReadOnlySpan<byte> jpeg)
{
    private readonly ReadOnlySpan<byte> _jpeg = jpeg;
    private int _position = 2; // after SOI
    private bool _afterScanHeader;

    public byte Marker { get; private set; }

    /// <summary>The segment's payload (after its length field).</summary>
    public ReadOnlySpan<byte> Payload { get; private set; }

    /// <summary>Where the bytes after the segment start: for a scan header (SOS), its entropy-coded data.</summary>
    public int End { get; private set; }

    public bool MoveNext()
    {
        if (_afterScanHeader)
            _position = EndOfEntropyData(_jpeg, _position);
        while (_position + 4 <= _jpeg.Length)
        {
            if (_jpeg[_position] != 0xFF)
                return false;
            var marker = _jpeg[_position + 1];
            if (marker == 0xFF)
            {
                _position++; // fill byte
                continue;
            }
            if (marker == 0xD9)
                return false;
            var length = BinaryPrimitives.ReadUInt16BigEndian(_jpeg[(_position + 2)..]);
            Marker = marker;
            Payload = _jpeg.Slice(_position + 4, length - 2);
            End = _position = _position + 2 + length;
            _afterScanHeader = marker == 0xDA;
            return true;
        }
        return false;
    }

    /// <summary>The next marker after entropy-coded data (FF 00 is a stuffed byte, FF D0..D7 a restart marker).</summary>
    private static int EndOfEntropyData(ReadOnlySpan<byte> jpeg, int position)
    {
        for (var i = position; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is not 0x00 and not 0xFF and not (>= 0xD0 and <= 0xD7))
                return i;
        }
        return jpeg.Length;
    }
}
