using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MogFace.Engine.Families;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families.BlazeFace;

/// <summary>
/// MediaPipe BlazeFace (short-range "front" 128 px, "back" 256 px): one NHWC input [1,S,S,3], scores
/// [1,512,1] + [1,384,1] and regressors [1,512,16] + [1,384,16] (box + 6 keypoints).
/// </summary>
public sealed class BlazeFaceFamily : IModelFamily
{
    public const string FamilyName = "blazeface";
    public const int Values = 16; // cx, cy, w, h, then 6 keypoints (x, y)

    /// <summary>
    /// Largest input side accepted (the real models are 128 and 256). A declared [1,30000,30000,3] would need
    /// 2.7e9 floats per run, more than an int counts: refused as a signature, before anything is allocated.
    /// </summary>
    public const int MaxInputSize = 1024;

    public string Name => FamilyName;

    public string? Mismatch(ModelSignature signature) => Bind(signature, out _);

    public IFacePipeline CreatePipeline(InferenceSession session, ModelSignature signature, ModelManifest manifest)
    {
        var why = Bind(signature, out var io);
        if (why is not null)
            throw new ModelFormatException(why);
        return new BlazeFacePipeline(session, io, manifest);
    }

    internal sealed record Io(string Input, int Size, string FineScores, string CoarseScores, string FineBoxes, string CoarseBoxes);

    private static string? Bind(ModelSignature signature, out Io io)
    {
        io = null!;
        if (signature.Inputs.Count != 1)
            return $"expected 1 input, found {signature.Inputs.Count}";
        var input = signature.Inputs[0];
        var s = input.Shape;
        if (s.Length != 4 || s[3] != 3 || s[1] <= 0 || s[1] != s[2])
            return $"expected an NHWC input [1,S,S,3], found {input}";
        if (s[1] > MaxInputSize)
            return $"input size {s[1]} is above the largest supported BlazeFace input ({MaxInputSize})";
        if (input.ElementType != TensorElementType.Float)
            return "expected a float32 input";
        string? Find(int count, int values) => signature.Outputs
            .FirstOrDefault(o => o.Shape.Length == 3 && o.Shape[1] == count && o.Shape[2] == values)?.Name;
        var names = new[]
        {
            Find(BlazeFaceAnchors.FineCount, 1), Find(BlazeFaceAnchors.CoarseCount, 1),
            Find(BlazeFaceAnchors.FineCount, Values), Find(BlazeFaceAnchors.CoarseCount, Values),
        };
        if (signature.Outputs.Count != 4 || names.Any(n => n is null))
            return "expected outputs [1,512,1], [1,384,1], [1,512,16], [1,384,16]";
        io = new Io(input.Name, s[1], names[0]!, names[1]!, names[2]!, names[3]!);
        return null;
    }
}
