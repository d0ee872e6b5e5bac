using Microsoft.ML.OnnxRuntime.Tensors;
using MogFace.Engine;
using MogFace.Engine.Families;
using MogFace.Engine.Families.MogFaceLarge;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

public sealed class MogFaceFamilyTests
{
    private static TensorSignature T(string name, params int[] shape) => new(name, shape, TensorElementType.Float);

    [Fact]
    public void BindsConfAndLocByName()
    {
        var signature = new ModelSignature([T("input", 1, 3, -1, -1)], [T("loc", 1, -1, 4), T("conf", 1, -1, 1)]);
        Assert.Null(MogFaceFamily.Bind(signature, out var binding));
        Assert.Equal(("input", "conf", "loc", false), (binding.Input, binding.Conf, binding.Loc, binding.IsFixedSize));
    }

    [Fact]
    public void BindsUnnamedOutputsByLastDimension()
    {
        var signature = new ModelSignature([T("x", 1, 3, 640, 640)], [T("out0", 1, 34125, 1), T("out1", 1, 34125, 4)]);
        Assert.Null(MogFaceFamily.Bind(signature, out var binding));
        Assert.Equal(("out0", "out1", 640, 640), (binding.Conf, binding.Loc, binding.FixedHeight, binding.FixedWidth));
    }

    [Theory]
    [InlineData("NCHW input")]
    public void MismatchExplainsWhy(string expectedFragment)
    {
        var blazeFaceLike = new ModelSignature([T("input", 1, 128, 128, 3)], [T("a", 1, 512, 1), T("b", 1, 384, 1), T("c", 1, 512, 16), T("d", 1, 384, 16)]);
        Assert.Contains(expectedFragment, new MogFaceFamily().Mismatch(blazeFaceLike));
        var wrongN = new ModelSignature([T("x", 1, 3, 640, 640)], [T("conf", 1, 1000, 1), T("loc", 1, 1000, 4)]);
        Assert.Contains("34125", new MogFaceFamily().Mismatch(wrongN));
        var oneOutput = new ModelSignature([T("x", 1, 3, -1, -1)], [T("conf", 1, -1, 1)]);
        Assert.Contains("2 outputs", new MogFaceFamily().Mismatch(oneOutput));
    }

    [Fact]
    public void RegisteredAndDetectedFromTheSignature()
    {
        Assert.Contains(ModelFamilies.All, f => f.Name == "mogface");
        var factory = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        using var mogface = FaceModel.Load(factory, File.ReadAllBytes(MogFaceTestFiles.Model()), null, "m", cpuOnly: true);
        Assert.Equal("mogface", mogface.Family.Name);
        Assert.Equal("mogface", mogface.Manifest.Family);
        foreach (var name in new[] { "blazeface-front.onnx", "blazeface-back.onnx" })
        {
            // No manifest: the family must come from the signature alone.
            var bytes = File.ReadAllBytes(Path.Combine(MogFaceTestFiles.RepositoryRoot, "models/blazeface", name));
            using var blazeface = FaceModel.Load(factory, bytes, null, "b", cpuOnly: true);
            Assert.Equal("blazeface", blazeface.Family.Name);
        }
    }

    [Fact]
    public void ManifestNamingTheWrongFamilyIsRejected()
    {
        var factory = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var error = Assert.Throws<ModelFormatException>(() =>
            FaceModel.Load(factory, File.ReadAllBytes(MogFaceTestFiles.Model()), new ModelManifest { Family = "blazeface" }, "m", cpuOnly: true));
        Assert.Contains("blazeface", error.Message);
    }
}
