namespace MogFace.Engine.Inference;

/// <summary>
/// Finds tensors an ONNX file keeps outside itself (<c>data_location = EXTERNAL</c>, or <c>external_data</c>
/// entries) by walking the protobuf wire format: the model's graph, every node attribute's tensors and
/// subgraphs (Loop/If/Scan bodies), sparse initialisers and functions. ONNX Runtime resolves such a tensor's
/// <c>location</c> against the model's directory, or the working directory for a model loaded from bytes, so an
/// upload could name <c>package.json</c> or another cached model and read it into a tensor (issue 12, case 7).
/// Uploads are single files: any external tensor is refused before a session sees it.
/// </summary>
public static class ExternalDataScan
{
    private const int MaxDepth = 64;

    /// <summary>The name of the first external tensor ("(unnamed)" when it has none), or null when every tensor is inside the file.</summary>
    public static string? Find(ReadOnlySpan<byte> model)
    {
        var found = (string?)null;
        Walk(model, Message.Model, 0, ref found);
        return found;
    }

    private enum Message { Model, Function, Graph, Node, Attribute, Tensor, SparseTensor }

    /// <summary>The fields of each message that hold (or lead to) tensors; everything else is skipped.</summary>
    private static Message? Child(Message parent, int field) => (parent, field) switch
    {
        (Message.Model, 7) => Message.Graph,
        (Message.Model, 25) => Message.Function,
        (Message.Function, 7) => Message.Node,
        (Message.Graph, 1) => Message.Node,
        (Message.Graph, 5) => Message.Tensor,
        (Message.Graph, 15) => Message.SparseTensor,
        (Message.Node, 5) => Message.Attribute,
        (Message.Attribute, 5 or 10) => Message.Tensor,
        (Message.Attribute, 6 or 11) => Message.Graph,
        (Message.Attribute, 22 or 23) => Message.SparseTensor,
        (Message.SparseTensor, 1 or 2) => Message.Tensor,
        _ => null,
    };

    /// <returns>False when the bytes are not well-formed protobuf (ONNX Runtime then refuses the file itself).</returns>
    private static bool Walk(ReadOnlySpan<byte> data, Message message, int depth, ref string? found)
    {
        if (depth > MaxDepth)
            return false;
        string? tensorName = null;
        var external = false;
        var position = 0;
        while (position < data.Length && found is null)
        {
            if (!TryVarint(data, ref position, out var key))
                return false;
            var field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    if (!TryVarint(data, ref position, out var value))
                        return false;
                    if (message == Message.Tensor && field == 14 && value == 1) // data_location: EXTERNAL
                        external = true;
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    if (!TryVarint(data, ref position, out var length) || length > (ulong)(data.Length - position))
                        return false;
                    var payload = data.Slice(position, (int)length);
                    position += (int)length;
                    if (message == Message.Tensor && field == 13) // external_data entries
                        external = true;
                    else if (message == Message.Tensor && field == 8)
                        tensorName = System.Text.Encoding.UTF8.GetString(payload);
                    else if (Child(message, field) is { } child && !Walk(payload, child, depth + 1, ref found))
                        return false;
                    break;
                default:
                    return false; // groups (3, 4) are not used by ONNX
            }
        }
        if (external && found is null)
            found = string.IsNullOrEmpty(tensorName) ? "(unnamed)" : tensorName;
        return position <= data.Length;
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }
}
