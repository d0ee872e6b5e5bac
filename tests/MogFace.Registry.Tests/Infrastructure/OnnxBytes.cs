using System.Buffers.Binary;
using System.Text;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>
/// Just enough protobuf to make the bad models ingestion must refuse, without Google.Protobuf: read the
/// float initializers of a real ONNX file (to overwrite their weights in place) and write tiny ONNX graphs.
/// Field numbers from onnx/onnx.proto: ModelProto{ir_version 1, doc_string 6, graph 7, opset_import 8},
/// GraphProto{node 1, name 2, initializer 5, input 11, output 12}, TensorProto{dims 1, data_type 2, raw_data 9},
/// NodeProto{input 1, output 2, op_type 4}, ValueInfoProto{name 1, type 2}.
/// </summary>
internal static class OnnxBytes
{
    private const int Float = 1;

    /// <summary>Where the float initializers' raw_data lies in <paramref name="model"/>: (offset, byte length).</summary>
    public static List<(int Offset, int Length)> FloatWeights(byte[] model)
    {
        var spans = new List<(int, int)>();
        foreach (var graph in Fields(model, 0, model.Length).Where(f => f.Number == 7))
        {
            foreach (var tensor in Fields(model, graph.Start, graph.End).Where(f => f.Number == 5))
            {
                var fields = Fields(model, tensor.Start, tensor.End).ToList();
                var type = fields.FirstOrDefault(f => f.Number == 2).Value;
                var raw = fields.FirstOrDefault(f => f.Number == 9);
                if (type == Float && raw.End > raw.Start)
                    spans.Add((raw.Start, raw.End - raw.Start));
            }
        }
        return spans;
    }

    /// <summary>A copy of <paramref name="model"/> whose float weights are all replaced by <paramref name="next"/>().</summary>
    public static byte[] WithWeights(byte[] model, Func<float> next)
    {
        var copy = (byte[])model.Clone();
        var spans = FloatWeights(copy);
        if (spans.Count == 0)
            throw new InvalidOperationException("No float initializers found.");
        foreach (var (offset, length) in spans)
        {
            for (var i = offset; i + 4 <= offset + length; i += 4)
                BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(i), next());
        }
        return copy;
    }

    /// <summary>
    /// The same network with a different <c>doc_string</c> (a field appended to ModelProto; the last one wins):
    /// a distinct file, so a distinct version, for as many swaps as a test needs.
    /// </summary>
    public static byte[] WithDocString(byte[] model, string doc)
    {
        var w = new Writer();
        w.Bytes(model);
        w.String(6, doc);
        return w.ToArray();
    }

    /// <summary>A valid ONNX model of the wrong signature: y = Identity(x), x and y float [1, 4].</summary>
    public static byte[] IdentityModel()
    {
        var node = new Writer().String(1, "x").String(2, "y").String(4, "Identity");
        var graph = new Writer()
            .Message(1, node)
            .String(2, "identity")
            .Message(11, ValueInfo("x", 1, 4))
            .Message(12, ValueInfo("y", 1, 4));
        var opset = new Writer().String(1, "").Varint(2, 13);
        return new Writer()
            .Varint(1, 8)
            .String(2, "mogface-tests")
            .Message(7, graph)
            .Message(8, opset)
            .ToArray();
    }

    private static Writer ValueInfo(string name, params long[] dims)
    {
        var shape = new Writer();
        foreach (var d in dims)
            shape.Message(1, new Writer().Varint(1, d));
        var tensorType = new Writer().Varint(1, Float).Message(2, shape);
        return new Writer().String(1, name).Message(2, new Writer().Message(1, tensorType));
    }

    private readonly record struct Field(int Number, int WireType, long Value, int Start, int End);

    private static IEnumerable<Field> Fields(byte[] b, int start, int end)
    {
        var i = start;
        while (i < end)
        {
            var key = ReadVarint(b, ref i);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    yield return new Field(number, wire, (long)ReadVarint(b, ref i), i, i);
                    break;
                case 1:
                    yield return new Field(number, wire, 0, i, i + 8);
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(b, ref i);
                    yield return new Field(number, wire, 0, i, i + length);
                    i += length;
                    break;
                case 5:
                    yield return new Field(number, wire, 0, i, i + 4);
                    i += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported wire type {wire} at {i}.");
            }
        }
    }

    private static ulong ReadVarint(byte[] b, ref int i)
    {
        ulong result = 0;
        for (var shift = 0; ; shift += 7)
        {
            var x = b[i++];
            result |= (ulong)(x & 0x7f) << shift;
            if (x < 0x80)
                return result;
        }
    }

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();

        public Writer Varint(int field, long value)
        {
            Key(field, 0);
            Raw((ulong)value);
            return this;
        }

        public Writer String(int field, string value) => Chunk(field, Encoding.UTF8.GetBytes(value));

        public Writer Message(int field, Writer message) => Chunk(field, message.ToArray());

        public Writer Bytes(byte[] raw)
        {
            _stream.Write(raw);
            return this;
        }

        public byte[] ToArray() => _stream.ToArray();

        private Writer Chunk(int field, byte[] payload)
        {
            Key(field, 2);
            Raw((ulong)payload.Length);
            _stream.Write(payload);
            return this;
        }

        private void Key(int field, int wire) => Raw((ulong)((field << 3) | wire));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _stream.WriteByte((byte)value);
        }
    }
}
