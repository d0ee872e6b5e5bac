using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MogFace.Engine.Inference;

/// <summary>One input or output: name and shape (-1 for a dynamic axis).</summary>
public sealed record TensorSignature(string Name, int[] Shape, TensorElementType ElementType)
{
    public override string ToString() => $"{Name}[{string.Join(",", Shape.Select(d => d < 0 ? "?" : d.ToString()))}]";
}

/// <summary>A model's IO signature, read from session metadata: what family detection works from.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs)
{
    public static ModelSignature From(InferenceSession session) => new(
        Read(session.InputMetadata, session.InputNames),
        Read(session.OutputMetadata, session.OutputNames));

    private static TensorSignature[] Read(IReadOnlyDictionary<string, NodeMetadata> metadata, IReadOnlyList<string> names) =>
        names.Select(n => new TensorSignature(n, metadata[n].Dimensions.ToArray(), metadata[n].ElementDataType)).ToArray();

    public override string ToString() =>
        $"inputs {string.Join(", ", Inputs)}; outputs {string.Join(", ", Outputs)}";
}
