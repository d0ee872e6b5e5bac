using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MogFace.Engine.Families;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// MogFace (ResNet-101/152 → LFPN → MogPredNet, as exported by models/mogface/export_onnx.py): one float
/// input [1,3,H,W] (H and W dynamic or fixed) and two outputs, <c>conf</c> [1,N,1] (sigmoid applied) and
/// <c>loc</c> [1,N,4] (raw deltas), N = one anchor per cell of 6 levels at strides 4…128.
/// See docs/mogface.md and ../shared/design/mogface-inference.md.
/// </summary>
public sealed class MogFaceFamily : IModelFamily
{
    public const string FamilyName = "mogface";

    public string Name => FamilyName;

    public string? Mismatch(ModelSignature signature) => Bind(signature, out _);

    public IFacePipeline CreatePipeline(InferenceSession session, ModelSignature signature, ModelManifest manifest)
    {
        var why = Bind(signature, out var binding);
        if (why is not null)
            throw new ModelFormatException(why);
        return new MogFacePipeline(session, binding, manifest);
    }

    internal static string? Bind(ModelSignature signature, out MogFaceBinding binding)
    {
        binding = null!;
        var inputProblem = NchwSignature.BindInput(signature, out var input, out var height, out var width);
        if (inputProblem is not null)
            return inputProblem;
        if (signature.Outputs.Count != 2)
            return $"expected 2 outputs (conf [1,N,1], loc [1,N,4]), found {signature.Outputs.Count}";

        static bool Fits(TensorSignature o, int values) =>
            o.Shape.Length == 3 && o.Shape[2] == values && o.Shape[0] <= 1 && o.ElementType == TensorElementType.Float;
        // Named outputs win; otherwise the last dimension tells them apart.
        var conf = signature.Outputs.FirstOrDefault(o => o.Name == "conf" && Fits(o, 1))
            ?? signature.Outputs.FirstOrDefault(o => Fits(o, 1));
        var loc = signature.Outputs.FirstOrDefault(o => o.Name == "loc" && Fits(o, 4))
            ?? signature.Outputs.FirstOrDefault(o => Fits(o, 4));
        if (conf is null || loc is null || ReferenceEquals(conf, loc))
            return "expected float32 outputs conf [1,N,1] and loc [1,N,4]";
        if (conf.Shape[1] > 0 && loc.Shape[1] > 0 && conf.Shape[1] != loc.Shape[1])
            return $"conf and loc disagree on N ({conf.Shape[1]} vs {loc.Shape[1]})";

        if (height is { } h && width is { } w)
        {
            var n = conf.Shape[1] > 0 ? conf.Shape[1] : loc.Shape[1];
            var expected = MogFaceAnchors.CountFor(h, w);
            if (n > 0 && n != expected)
                return $"a {w}×{h} input has {expected} MogFace anchors but the outputs have N = {n}";
        }
        binding = new MogFaceBinding(input.Name, conf.Name, loc.Name, height, width);
        return null;
    }
}
