using MogFace.Core.Detection;
using MogFace.Core.Families;
using MogFace.Core.Inference;

namespace MogFace.Tests.Shared;

/// <summary>Loads the real BlazeFace weights the way the service does (manifest beside the file, CPU).</summary>
public static class ModelFiles
{
    public static FaceModel Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var manifest = ModelManifest.LoadBesideAsync(path).GetAwaiter().GetResult();
        var version = ModelVersion.Id(manifest?.Name ?? Path.GetFileName(path), ModelVersion.Sha256Hex(bytes));
        return FaceModel.Load(new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), bytes, manifest, version);
    }
}
