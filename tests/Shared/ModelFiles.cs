using MogFace.Engine;
using MogFace.Engine.Inference;

namespace MogFace.Tests.Shared;

/// <summary>Loads real weights the way the CLI does (manifest beside the file), on CPU.</summary>
public static class ModelFiles
{
    public static FaceModel Load(string path) =>
        FaceModel.LoadFileAsync(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), path)
            .GetAwaiter().GetResult();
}
