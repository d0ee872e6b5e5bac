using Microsoft.ML.OnnxRuntime.Tensors;
using MogFace.Engine.Families;
using MogFace.Engine;
using MogFace.Engine.Families.YuNet;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Tests.Families.YuNet;

/// <summary>Which signatures the yunet family claims, from hand-written signatures (no model needed).</summary>
public sealed class YuNetFamilyTests
{
    private static ModelSignature Signature(int height = -1, int width = -1, string? drop = null)
    {
        var outputs = new List<TensorSignature>();
        foreach (var s in YuNetFamily.Strides)
        {
            outputs.Add(new($"cls_{s}", [-1, -1, 1], TensorElementType.Float));
            outputs.Add(new($"obj_{s}", [-1, -1, 1], TensorElementType.Float));
            outputs.Add(new($"bbox_{s}", [-1, -1, 4], TensorElementType.Float));
            outputs.Add(new($"kps_{s}", [-1, -1, 10], TensorElementType.Float));
        }
        if (drop is not null)
        {
            outputs.RemoveAll(o => o.Name == drop);
            outputs.Add(new("extra", [-1, -1, 10], TensorElementType.Float));
        }
        return new([new("input", [-1, 3, height, width], TensorElementType.Float)], outputs);
    }

    [Fact]
    public void The_dynamic_and_fixed_exports_are_yunet_and_no_other_family()
    {
        Assert.IsType<YuNetFamily>(ModelFamilies.Resolve(Signature(), null));
        Assert.IsType<YuNetFamily>(ModelFamilies.Resolve(Signature(640, 640), null));
        Assert.IsType<YuNetFamily>(ModelFamilies.Resolve(Signature(), "YuNet"));
    }

    [Theory]
    [InlineData(100, 100, null, "multiple of 32")]
    [InlineData(640, -1, null, "both fixed or both dynamic")]
    [InlineData(-1, -1, "kps_32", "kps_32")]
    public void Signatures_that_do_not_fit_say_why(int height, int width, string? drop, string reason)
    {
        var why = new YuNetFamily().Mismatch(Signature(height, width, drop));
        Assert.NotNull(why);
        Assert.Contains(reason, why);
        Assert.Throws<ModelFormatException>(() => ModelFamilies.Resolve(Signature(height, width, drop), "yunet"));
    }
}
