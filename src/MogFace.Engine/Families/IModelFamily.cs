using Microsoft.ML.OnnxRuntime;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families;

/// <summary>
/// A kind of detector network: recognises its ONNX signature and builds the pipeline
/// (preprocess → run → decode) around a session.
/// </summary>
public interface IModelFamily
{
    string Name { get; }

    /// <summary>Null when <paramref name="signature"/> fits this family, else why not (shown in rejections).</summary>
    string? Mismatch(ModelSignature signature);

    IFacePipeline CreatePipeline(InferenceSession session, ModelSignature signature, ModelManifest manifest);
}
