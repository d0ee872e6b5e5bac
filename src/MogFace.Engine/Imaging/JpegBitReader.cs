using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Bits of entropy-coded data through a 64-bit accumulator: FF 00 is a data byte FF; any other marker ends
/// the data. Past the end the accumulator reads zeros, which <see cref="Consume"/> refuses to take.
/// </summary>
internal ref struct JpegBitReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private ulong _bits;  // valid bits left-aligned
    private int _count;   // how many are valid
    private bool _atMarker;

    /// <summary>The next 16 bits (zeros past the end of the data), without taking them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per Huffman code: the walk's hot path
    public int Peek16()
    {
        if (_count < 16)
            Fill();
        return (int)(_bits >> 48);
    }

    /// <summary>Takes <paramref name="bits"/> bits; false when the data does not hold that many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per Huffman code: the walk's hot path
    public bool Consume(int bits)
    {
        if (bits > _count)
        {
            Fill();
            if (bits > _count)
                return false;
        }
        _bits <<= bits;
        _count -= bits;
        return true;
    }

    /// <summary>
    /// One 8×8 block without decoding it: the DC difference's size code and magnitude bits, then AC run/size codes
    /// with theirs, up to end-of-block or 63 coefficients; false when the data ends first (or a code is invalid).
    /// Nearly all of the walk's time is here, so the accumulator is copied into locals, which the JIT keeps in
    /// registers (the fields of a struct reached by reference stay in memory), refilled eight bytes at a time in
    /// place, and written back only around the rare calls that use the fields: byte-by-byte refills (near a 0xFF or
    /// the end), and codes <see cref="JpegHuffmanTable.SkipEntry"/> leaves to <see cref="JpegHuffmanTable.SkipCoefficientSymbolFirst"/>.
    /// </summary>
    public bool SkipBlock(JpegHuffmanTable dc, JpegHuffmanTable ac)
    {
        var bits = _bits;
        var count = _count;
        var table = dc; // coefficient 0, then the AC table for 1..63
        var step = 0;
        for (var k = 0; k < 64; k += step, table = ac)
        {
            // A folded code takes at most 10 + 16 bits: refill below 32, so one test per code suffices.
            if (count < 32 && !TryFillEightBytes(ref bits, ref count))
            {
                (_bits, _count) = (bits, count);
                FillByteByByte();
                (bits, count) = (_bits, _count);
            }
            var entry = table.SkipEntry(bits);
            if (entry != 0)
            {
                var take = entry & 0xFF;
                if (take > count) // after a refill, a count under 32 is every bit left: the data ends inside this code
                    return false;
                bits <<= take;
                count -= take;
                step = entry >> 8;
            }
            else
            {
                (_bits, _count) = (bits, count);
                step = table.SkipCoefficientSymbolFirst(ref this);
                (bits, count) = (_bits, _count);
            }
            if (step <= 0)
                break; // end of block (0), or the data ends first (-1)
        }
        (_bits, _count) = (bits, count);
        return step >= 0;
    }

    /// <summary>At a restart interval: drop the padding bits and step over an RSTn marker (false when another marker comes).</summary>
    public bool SkipRestartMarker()
    {
        Fill(); // reach the marker: only padding (< 8 bits) may be left before it
        if (_count >= 8 || !_atMarker || _position + 1 >= _data.Length || _data[_position + 1] is < 0xD0 or > 0xD7)
            return false;
        _position += 2;
        _bits = 0;
        _count = 0;
        _atMarker = false;
        return true;
    }

    /// <summary>
    /// Tops the accumulator up to more than 56 bits, or to every bit left before a marker or the end. Most of the data
    /// has no 0xFF byte, so eight bytes at a time are tested for one and, when there is none, taken in one step;
    /// otherwise bytes go one at a time (FF 00 is a data byte FF, another FF starts a marker).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // once every few codes: kept out of the inlined hot path
    private void Fill()
    {
        if (!TryFillEightBytes(ref _bits, ref _count))
            FillByteByByte();
    }

    /// <summary>
    /// The common case of <see cref="Fill"/>, on an accumulator passed in (<see cref="SkipBlock"/>'s locals): when the
    /// next eight bytes hold no 0xFF, as many as fit; false (nothing taken) otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // inlined into SkipBlock, so its locals stay in registers
    private bool TryFillEightBytes(ref ulong bits, ref int count)
    {
        if (count > 56 || _atMarker || _position + 8 > _data.Length)
            return false;
        var word = BinaryPrimitives.ReadUInt64BigEndian(_data[_position..]);
        if (HasFFByte(word))
            return false;
        var bytes = (64 - count) >> 3; // as many whole bytes as fit: the count ends between 57 and 64
        bits |= (word & (ulong.MaxValue << (64 - 8 * bytes))) >> count; // only those bytes: the bits below stay zero
        count += 8 * bytes;
        _position += bytes;
        return true;
    }

    /// <summary>Whether any byte of <paramref name="word"/> is 0xFF (SWAR: a zero byte of its complement).</summary>
    private static bool HasFFByte(ulong word)
    {
        var inverted = ~word;
        return ((inverted - 0x0101010101010101UL) & ~inverted & 0x8080808080808080UL) != 0;
    }

    private void FillByteByByte()
    {
        while (_count <= 56 && !_atMarker && _position < _data.Length)
        {
            var value = _data[_position];
            if (value == 0xFF)
            {
                if (_position + 1 >= _data.Length || _data[_position + 1] != 0x00)
                {
                    _atMarker = true; // a marker: the scan data ends here (_position stays on it)
                    return;
                }
                _position++;
            }
            _position++;
            _bits |= (ulong)value << (56 - _count);
            _count += 8;
        }
    }
}
