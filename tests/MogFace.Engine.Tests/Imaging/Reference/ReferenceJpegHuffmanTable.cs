namespace MogFace.Engine.Tests.Imaging.Reference;

/// <summary>
/// The walk as it was before issue 14 made it faster, kept only as the differential tests' reference (verbatim but for the name).
///
/// A canonical Huffman table: codes up to 8 bits through a 256-entry lookup of the next byte, longer ones by
/// length. A code is only taken when all its bits are data (never the zeros past the end).
/// </summary>
internal sealed class ReferenceJpegHuffmanTable
{
    private const int LookupBits = 8;
    private readonly int[] _maxCode = new int[17];
    private readonly int[] _offset = new int[17];
    private readonly ushort[] _lookup = new ushort[1 << LookupBits]; // (length << 8) | symbol; 0 = longer code
    private readonly byte[] _symbols;

    private ReferenceJpegHuffmanTable(ReadOnlySpan<byte> counts, byte[] symbols)
    {
        _symbols = symbols;
        int code = 0, index = 0;
        for (var length = 1; length <= 16; length++)
        {
            _offset[length] = index - code;
            for (var k = 0; k < counts[length - 1] && length <= LookupBits; k++)
            {
                var first = (code + k) << (LookupBits - length);
                _lookup.AsSpan(first, 1 << (LookupBits - length)).Fill((ushort)((length << 8) | symbols[index + k]));
            }
            code += counts[length - 1];
            index += counts[length - 1];
            _maxCode[length] = counts[length - 1] == 0 ? -1 : code - 1;
            code <<= 1;
        }
    }

    /// <summary>A table from a DHT segment at its class/id byte; and how many bytes it took.</summary>
    public static (ReferenceJpegHuffmanTable Table, int Used) Read(ReadOnlySpan<byte> dht)
    {
        var counts = dht.Slice(1, 16);
        var total = 0;
        for (var length = 1; length <= 16; length++)
        {
            total += counts[length - 1];
            if (total > 1 << length) // more codes than the length allows: not a Huffman table
                throw new InvalidDataException("Over-subscribed Huffman table.");
        }
        return (new ReferenceJpegHuffmanTable(counts, dht.Slice(17, total).ToArray()), 17 + total);
    }

    /// <summary>The next symbol, or -1 when the data ends first (or the code is invalid).</summary>
    public int Decode(ref ReferenceJpegBitReader reader)
    {
        var peek = reader.Peek16();
        var entry = _lookup[peek >> (16 - LookupBits)];
        if (entry != 0)
            return reader.Consume(entry >> 8) ? entry & 0xFF : -1;
        for (var length = LookupBits + 1; length <= 16; length++)
        {
            var code = peek >> (16 - length);
            if (code <= _maxCode[length])
            {
                var index = code + _offset[length];
                return index < _symbols.Length && reader.Consume(length) ? _symbols[index] : -1;
            }
        }
        return -1;
    }
}
