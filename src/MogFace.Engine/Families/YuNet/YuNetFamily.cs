using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MogFace.Engine.Families;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families.YuNet;

/// <summary>
/// YuNet (libfacedetection, Apache-2.0; what OpenCV's FaceDetectorYN runs): one float input [1,3,H,W]
/// (BGR, 0–255, H and W multiples of 32, dynamic or fixed) and twelve outputs <c>cls_s</c> [1,N,1],
/// <c>obj_s</c> [1,N,1], <c>bbox_s</c> [1,N,4], <c>kps_s</c> [1,N,10] for strides s = 8, 16, 32, one
/// anchor-free prior per grid cell. Outputs are found by name: the shapes alone cannot tell cls from obj.
/// </summary>
public sealed class YuNetFamily : IModelFamily
{
    public const string FamilyName = "yunet";
    public static readonly int[] Strides = [8, 16, 32];

    /// <summary>Every input side must be a multiple of the largest stride.</summary>
    public const int Alignment = 32;

    public string Name => FamilyName;

    public string? Mismatch(ModelSignature signature) => Bind(signature, out _);

    public IFacePipeline CreatePipeline(InferenceSession session, ModelSignature signature, ModelManifest manifest)
    {
        var why = Bind(signature, out var binding);
        if (why is not null)
            throw new ModelFormatException(why);
        return new YuNetPipeline(session, binding, manifest);
    }

    internal static string? Bind(ModelSignature signature, out YuNetBinding binding)
    {
        binding = null!;
        var inputProblem = NchwSignature.BindInput(signature, out var input, out var height, out var width);
        if (inputProblem is not null)
            return inputProblem;
        if (signature.Outputs.Count != 4 * Strides.Length)
            return $"expected 12 outputs (cls/obj/bbox/kps at strides 8, 16, 32), found {signature.Outputs.Count}";

        string? Find(string name, int values) => signature.Outputs.FirstOrDefault(o =>
            o.Name == name && o.Shape.Length == 3 && o.Shape[2] == values && o.ElementType == TensorElementType.Float)?.Name;
        var levels = new List<YuNetLevel>();
        foreach (var stride in Strides)
        {
            var (cls, obj, bbox, kps) = (Find($"cls_{stride}", 1), Find($"obj_{stride}", 1), Find($"bbox_{stride}", 4), Find($"kps_{stride}", 10));
            if (cls is null || obj is null || bbox is null || kps is null)
                return $"expected float32 outputs cls_{stride} [1,N,1], obj_{stride} [1,N,1], bbox_{stride} [1,N,4], kps_{stride} [1,N,10]";
            levels.Add(new YuNetLevel(stride, cls, obj, bbox, kps));
        }

        if (height is { } h && (h % Alignment != 0 || width!.Value % Alignment != 0))
            return $"a fixed input must be a multiple of {Alignment} on both sides, found {input}";
        binding = new YuNetBinding(input.Name, levels, height, width);
        return null;
    }
}
