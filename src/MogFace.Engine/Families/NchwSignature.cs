using Microsoft.ML.OnnxRuntime.Tensors;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families;

/// <summary>
/// The input side of the NCHW families (MogFace, YuNet): one float32 input [1,3,H,W] whose H and W are both
/// fixed or both dynamic. Returns null when it fits, else why not; the sizes are null when dynamic.
/// </summary>
internal static class NchwSignature
{
    public static string? BindInput(ModelSignature signature, out TensorSignature input, out int? height, out int? width)
    {
        input = null!;
        height = width = null;
        if (signature.Inputs.Count != 1)
            return $"expected 1 input, found {signature.Inputs.Count}";
        input = signature.Inputs[0];
        var s = input.Shape;
        if (s.Length != 4 || s[1] != 3 || s[0] > 1)
            return $"expected an NCHW input [1,3,H,W], found {input}";
        if (input.ElementType != TensorElementType.Float)
            return "expected a float32 input";
        height = s[2] > 0 ? s[2] : null;
        width = s[3] > 0 ? s[3] : null;
        if ((height is null) != (width is null))
            return $"expected H and W both fixed or both dynamic, found {input}";
        return null;
    }
}
