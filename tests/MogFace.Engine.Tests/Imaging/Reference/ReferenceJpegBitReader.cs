namespace MogFace.Engine.Tests.Imaging.Reference;

/// <summary>
/// The walk as it was before issue 14 made it faster, kept only as the differential tests' reference (verbatim but for the name).
///
/// Bits of entropy-coded data through a 64-bit accumulator: FF 00 is a data byte FF; any other marker ends
/// the data. Past the end the accumulator reads zeros, which <see cref="Consume"/> refuses to take.
/// </summary>
internal ref struct ReferenceJpegBitReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private ulong _bits;  // valid bits left-aligned
    private int _count;   // how many are valid
    private bool _atMarker;

    /// <summary>The next 16 bits (zeros past the end of the data), without taking them.</summary>
    public int Peek16()
    {
        if (_count < 16)
            Fill();
        return (int)(_bits >> 48);
    }

    /// <summary>Takes <paramref name="bits"/> bits; false when the data does not hold that many.</summary>
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

    /// <summary>Skips a coefficient's <paramref name="bits"/> extra bits (at most 16).</summary>
    public bool Skip(int bits) => bits == 0 || Consume(bits);

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

    private void Fill()
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
