using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Resized rows straight into the network's planes, one row at a time (no whole resized image in memory):
/// <c>(float)((v − mean) / divisor)</c> in double, as the reference computes it, four interleaved values per vector
/// (the channel pattern repeats every 12 values), then each channel spread into its plane. When every plane is
/// the value as it is (mean 0, divisor 1: YuNet) that arithmetic gives each float back unchanged, so it is skipped.
/// </summary>
internal ref struct NormalisedPlaneRows : IResizedRows
{
    private readonly Span<float> _resized, _normalised, _nchw;
    private readonly int _width, _plane, _planeWidth;
    private readonly bool _identity;
    private Three<double> _mean, _divisor;
    private Three<int> _target; // plane of each source channel, -1 when none
    private Three<Vector256<double>> _meanLanes, _divisorLanes;

    /// <param name="resized">Scratch for one resized row, <c>3 · width</c> floats.</param>
    /// <param name="normalised">Scratch of the same size for its normalised values.</param>
    public NormalisedPlaneRows(Span<float> resized, Span<float> normalised, Span<float> nchw, int width, int planeWidth, int planeHeight,
        ReadOnlySpan<PlaneChannel> planes)
    {
        if (resized.Length != 3 * width || normalised.Length != 3 * width)
            throw new ArgumentException("Row scratch has the wrong size.");
        _resized = resized;
        _normalised = normalised;
        _nchw = nchw;
        (_width, _plane, _planeWidth) = (width, planeWidth * planeHeight, planeWidth);
        _identity = true;
        for (var c = 0; c < 3; c++)
            (_mean[c], _divisor[c], _target[c]) = (0, 1, -1);
        for (var p = 0; p < planes.Length; p++)
        {
            var (c, mean, divisor) = planes[p];
            (_mean[c], _divisor[c], _target[c]) = (mean, divisor, p);
            _identity &= mean == 0 && divisor == 1;
        }
        for (var k = 0; k < 3; k++) // vector k covers interleaved values 4k … 4k + 3 of a 12-value cycle
        {
            _meanLanes[k] = Vector256.Create(_mean[(4 * k) % 3], _mean[(4 * k + 1) % 3], _mean[(4 * k + 2) % 3], _mean[(4 * k + 3) % 3]);
            _divisorLanes[k] = Vector256.Create(_divisor[(4 * k) % 3], _divisor[(4 * k + 1) % 3], _divisor[(4 * k + 2) % 3], _divisor[(4 * k + 3) % 3]);
        }
    }

    public readonly Span<float> Row(int y) => _resized;

    public readonly void Written(int y)
    {
        ReadOnlySpan<float> values = _identity ? _resized : Normalise();
        var x = Avx2.IsSupported ? SpreadEightAtATime(values, y) : 0;
        for (var c = 0; c < 3; c++)
        {
            if (_target[c] < 0)
                continue;
            var to = _nchw.Slice(_target[c] * _plane + y * _planeWidth, _width);
            for (var i = x; i < to.Length; i++)
                to[i] = values[3 * i + c];
        }
    }

    /// <summary>
    /// Eight pixels (three vectors) at a time into the planes: channel c of pixel j is element <c>3j + c</c>, in
    /// vector <c>(3j + c) / 8</c> at lane <c>(3j + c) % 8</c>. Those lanes differ across the three vectors, so one
    /// blend gathers a channel's eight values and one permute puts them in pixel order. Returns the pixels done.
    /// </summary>
    private readonly int SpreadEightAtATime(ReadOnlySpan<float> values, int y)
    {
        var x = 0;
        for (; x + 8 <= _width; x += 8)
        {
            var a = Vector256.Create(values.Slice(3 * x, 8));
            var b = Vector256.Create(values.Slice(3 * x + 8, 8));
            var d = Vector256.Create(values.Slice(3 * x + 16, 8));
            for (var c = 0; c < 3; c++)
            {
                if (_target[c] < 0)
                    continue;
                var lanes = Vector256.ConditionalSelect(FromFirst[c], a, Vector256.ConditionalSelect(FromSecond[c], b, d));
                Avx2.PermuteVar8x32(lanes, PixelOrder[c]).CopyTo(_nchw.Slice(_target[c] * _plane + y * _planeWidth + x, 8));
            }
        }
        return x;
    }

    // Per channel c: which lanes of the first and second of three vectors hold it, and lane (3j + c) % 8 for pixel j.
    private static readonly Vector256<float>[] FromFirst = [LanesOf(0, 0), LanesOf(1, 0), LanesOf(2, 0)];
    private static readonly Vector256<float>[] FromSecond = [LanesOf(0, 1), LanesOf(1, 1), LanesOf(2, 1)];
    private static readonly Vector256<int>[] PixelOrder = [Order(0), Order(1), Order(2)];

    /// <summary>All bits set in lane L where vector k's lane L holds channel c (element 8k + L ≡ c mod 3).</summary>
    private static Vector256<float> LanesOf(int c, int k)
    {
        Span<int> mask = stackalloc int[8];
        for (var lane = 0; lane < 8; lane++)
            mask[lane] = (8 * k + lane) % 3 == c ? -1 : 0;
        return Vector256.Create<int>(mask).AsSingle();
    }

    private static Vector256<int> Order(int c)
    {
        Span<int> lanes = stackalloc int[8];
        for (var j = 0; j < 8; j++)
            lanes[j] = (3 * j + c) % 8;
        return Vector256.Create<int>(lanes);
    }

    private readonly Span<float> Normalise()
    {
        var i = 0;
        for (; i + 12 <= _resized.Length; i += 12)
        {
            for (var k = 0; k < 3; k++)
            {
                var v = Vector128.Create(_resized.Slice(i + 4 * k, 4));
                var wide = Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
                var result = (wide - _meanLanes[k]) / _divisorLanes[k];
                Vector128.Narrow(result.GetLower(), result.GetUpper()).CopyTo(_normalised.Slice(i + 4 * k, 4));
            }
        }
        for (; i < _resized.Length; i++)
            _normalised[i] = (float)((_resized[i] - _mean[i % 3]) / _divisor[i % 3]);
        return _normalised;
    }

    [InlineArray(3)]
    private struct Three<T>
    {
        private T _element;
    }
}
