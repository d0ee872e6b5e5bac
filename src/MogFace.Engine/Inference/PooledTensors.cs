using MogFace.Engine.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace MogFace.Engine.Inference;

/// <summary>
/// Float tensors of one network run (its input, and the outputs ONNX Runtime writes into instead of allocating
/// them) on arrays rented from <see cref="DetectionBuffers{T}"/>: in steady state a request allocates no tensor
/// memory, managed or native, and nothing that reaches the large object heap. Every family's pipeline runs this
/// way. Dispose unpins the <see cref="OrtValue"/>s first and only then returns the arrays.
/// </summary>
internal sealed class PooledTensors : IDisposable
{
    private readonly float[][] _arrays;
    private readonly int[] _lengths;
    private readonly OrtValue[] _values;

    /// <param name="shapes">One shape per tensor; every dimension must be known (positive).</param>
    public PooledTensors(params long[][] shapes)
    {
        _arrays = new float[shapes.Length][];
        _lengths = new int[shapes.Length];
        _values = new OrtValue[shapes.Length];
        try
        {
            for (var i = 0; i < shapes.Length; i++)
            {
                _lengths[i] = checked((int)shapes[i].Aggregate(1L, (a, d) => d > 0 ? a * d : throw new ArgumentException($"Dimension {d} of tensor {i} is not known.")));
                _arrays[i] = DetectionBuffers<float>.Rent(_lengths[i]);
                _values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _arrays[i].AsMemory(0, _lengths[i]), shapes[i]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The tensor at <paramref name="index"/>, to pass to Run.</summary>
    public OrtValue this[int index] => _values[index];

    /// <summary>The tensors <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1, in order.</summary>
    public OrtValue[] Range(int start, int count) => _values.AsSpan(start, count).ToArray();

    /// <summary>The data of the tensor at <paramref name="index"/> (to fill an input, or read an output after Run).</summary>
    public Span<float> Span(int index) => _arrays[index].AsSpan(0, _lengths[index]);

    public void Dispose()
    {
        for (var i = 0; i < _values.Length; i++)
            _values[i]?.Dispose();
        for (var i = 0; i < _arrays.Length; i++)
        {
            if (_arrays[i] is { } array)
                DetectionBuffers<float>.Return(array);
            _arrays[i] = null!;
        }
    }
}
