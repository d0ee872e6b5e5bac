using MogFace.Engine.Inference;
using MogFace.Tests.Shared;

namespace MogFace.Engine.Tests.Inference;

/// <summary>
/// Issue 12, case 7: tensors kept outside the .onnx are found wherever the graph puts them (an initializer, a
/// constant inside a Loop body), so validation and serving refuse them before ONNX Runtime reads the file they name.
/// </summary>
public sealed class ExternalDataScanTests
{
    [Fact]
    public void An_initializer_stored_in_package_json_is_found()
    {
        Assert.NotNull(ExternalDataScan.Find(AdversarialModels.Get(AdversarialModels.ExternalData)));
    }

    [Fact]
    public void A_constant_in_a_loop_body_stored_outside_is_found()
    {
        Assert.NotNull(ExternalDataScan.Find(AdversarialModels.Get(AdversarialModels.ExternalInLoop)));
        Assert.Null(ExternalDataScan.Find(AdversarialModels.Get(AdversarialModels.HugeLoop))); // the same graph, self-contained
    }

    [Theory]
    [InlineData("blazeface-front")]
    [InlineData("blazeface-back")]
    [InlineData("yunet")]
    public void The_shipped_models_are_self_contained(string model)
    {
        var path = model == "yunet" ? RepoPaths.YuNet : Path.Combine(RepoPaths.Root, "models", "blazeface", model + ".onnx");
        Assert.Null(ExternalDataScan.Find(RepoPaths.ReadWeights(path)));
    }

    [Fact]
    public void Bytes_that_are_not_protobuf_are_left_to_onnx_runtime()
    {
        Assert.Null(ExternalDataScan.Find([0xFF, 0xFF, 0xFF]));
        Assert.Null(ExternalDataScan.Find([]));
    }
}
