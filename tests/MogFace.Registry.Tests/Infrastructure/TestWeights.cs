using MogFace.Tests.Shared;
using MogFace.Engine;
using MogFace.Engine.Families;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>The real BlazeFace and YuNet weights, and variants of them (distinct bytes, same network).</summary>
internal static class TestWeights
{
    private static readonly Lazy<byte[]> LazyFront = new(() => RepoPaths.ReadWeights(RepoPaths.BlazeFaceFront));
    private static readonly Lazy<byte[]> LazyBack = new(() => RepoPaths.ReadWeights(RepoPaths.BlazeFaceBack));
    private static readonly Lazy<byte[]> LazyYuNet = new(() => RepoPaths.ReadWeights(RepoPaths.YuNet));

    /// <summary>blazeface-front (128 px): "v1".</summary>
    public static byte[] Front => LazyFront.Value;

    /// <summary>blazeface-back (256 px): "v2", the default.</summary>
    public static byte[] Back => LazyBack.Value;

    /// <summary>yunet-n (dynamic input, committed): the default model, another family.</summary>
    public static byte[] YuNet => LazyYuNet.Value;

    /// <summary>The back model as a new file (another doc_string): a new version that detects the same.</summary>
    public static byte[] BackVariant(string tag) => OnnxBytes.WithDocString(Back, $"variant {tag}");

    public static byte[] FrontVariant(string tag) => OnnxBytes.WithDocString(Front, $"variant {tag}");

    public static string VersionOf(string blobName, byte[] bytes) => ModelVersion.Id(blobName, ModelVersion.Sha256Hex(bytes));

    public static ModelManifest? ManifestFor(string path) => ModelManifest.LoadBesideAsync(path).GetAwaiter().GetResult();
}
