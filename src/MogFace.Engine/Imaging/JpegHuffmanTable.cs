using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MogFace.Engine.Imaging;

/// <summary>
/// A canonical Huffman table: codes up to 8 bits through a 256-entry lookup of the next byte, longer ones by
/// length. A code is only taken when all its bits are data (never the zeros past the end). For walking blocks
/// without decoding them, a second lookup of the next 10 bits takes a code and the coefficient bits after it in
/// one step (<see cref="SkipEntry"/>, for <see cref="JpegBitReader.SkipBlock"/>).
/// </summary>
internal sealed class JpegHuffmanTable
{
    private const int LookupBits = 8;
    private const int SkipLookupBits = 10; // covers nearly every code of photo tables (the longest common ones are 9–10 bits)
    private readonly int[] _maxCode = new int[17];
    private readonly int[] _offset = new int[17];
    private readonly ushort[] _lookup = new ushort[1 << LookupBits]; // (length << 8) | symbol; 0 = longer code
    private readonly ushort[] _skipLookup = new ushort[1 << SkipLookupBits]; // (step << 8) | bits to take; 0 = the slow way
    private readonly byte[] _symbols;
    private readonly bool _isDc;

    private JpegHuffmanTable(ReadOnlySpan<byte> counts, byte[] symbols, bool isDc)
    {
        _symbols = symbols;
        _isDc = isDc;
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
        FillSkipLookup();
    }

    /// <summary>A table from a DHT segment at its class/id byte; and how many bytes it took.</summary>
    public static (JpegHuffmanTable Table, int Used) Read(ReadOnlySpan<byte> dht)
    {
        var counts = dht.Slice(1, 16);
        var total = 0;
        for (var length = 1; length <= 16; length++)
        {
            total += counts[length - 1];
            if (total > 1 << length) // more codes than the length allows: not a Huffman table
                throw new InvalidDataException("Over-subscribed Huffman table.");
        }
        return (new JpegHuffmanTable(counts, dht.Slice(17, total).ToArray(), isDc: dht[0] >> 4 == 0), 17 + total);
    }

    /// <summary>The next symbol, or -1 when the data ends first (or the code is invalid).</summary>
    public int Decode(ref JpegBitReader reader)
    {
        var symbol = Resolve(reader.Peek16(), 16, out var length);
        return symbol >= 0 && reader.Consume(length) ? symbol : -1;
    }

    /// <summary>
    /// For the coefficient whose code starts the left-aligned <paramref name="bits"/>: (coefficients covered &lt;&lt; 8) |
    /// bits to take (code and magnitude); 0 when <see cref="SkipCoefficientSymbolFirst"/> has to answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per Huffman code: the walk's hot path
    public int SkipEntry(ulong bits) =>
        // The index is the top 10 of 64 bits, so below the lookup's 1 << 10 entries: no bounds check needed.
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_skipLookup), (int)(bits >> (64 - SkipLookupBits)));

    /// <summary>
    /// For codes longer than the skip lookup (and DC sizes it does not fold): decode, then take the magnitude bits.
    /// Returns the coefficients covered (0: end of block), or -1 when the data ends first (or the code is invalid).
    /// </summary>
    public int SkipCoefficientSymbolFirst(ref JpegBitReader reader)
    {
        var symbol = Decode(ref reader);
        if (symbol < 0)
            return -1;
        var (step, bits) = Coefficient(symbol);
        return bits == 0 || reader.Consume(bits) ? step : -1;
    }

    /// <summary>What a symbol means for the walk: coefficients covered (0: end of block) and magnitude bits after its code.</summary>
    private (int Step, int Bits) Coefficient(int symbol)
    {
        if (_isDc)
            return (1, symbol); // the DC difference (coefficient 0) and its size
        int run = symbol >> 4, bits = symbol & 15;
        if (bits == 0)
            return (run == 15 ? 16 : 0, 0); // ZRL: sixteen zeros; any other run with size 0 ends the block
        return (run + 1, bits);
    }

    /// <summary>
    /// The skip lookup, filled from <see cref="Resolve"/> itself for every 10-bit prefix, so that it answers exactly as
    /// decoding does, malformed tables included. A prefix is left to the slow way when its code is longer than 10
    /// bits or invalid, or when a DC size is over 16 (one consume then stays far below the accumulator's 57 bits).
    /// </summary>
    private void FillSkipLookup()
    {
        for (var prefix = 0; prefix < _skipLookup.Length; prefix++)
        {
            var symbol = Resolve(prefix << (16 - SkipLookupBits), SkipLookupBits, out var length);
            if (symbol < 0)
                continue;
            var (step, bits) = Coefficient(symbol);
            if (bits <= 16)
                _skipLookup[prefix] = (ushort)((step << 8) | (length + bits));
        }
    }

    /// <summary>The symbol whose code starts <paramref name="peek"/> (16 bits), if it is at most <paramref name="maxLength"/> bits; else -1.</summary>
    private int Resolve(int peek, int maxLength, out int length)
    {
        var entry = _lookup[peek >> (16 - LookupBits)];
        if (entry != 0)
        {
            length = entry >> 8;
            return entry & 0xFF;
        }
        for (length = LookupBits + 1; length <= maxLength; length++)
        {
            var code = peek >> (16 - length);
            if (code <= _maxCode[length])
            {
                var index = code + _offset[length];
                return index < _symbols.Length ? _symbols[index] : -1;
            }
        }
        return -1;
    }
}
