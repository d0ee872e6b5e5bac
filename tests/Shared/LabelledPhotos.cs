using MogFace.Engine.Evaluation;

namespace MogFace.Tests.Shared;

/// <summary>The hand-checked face boxes of tests/images (WIDER format), by file name.</summary>
public static class LabelledPhotos
{
    private static readonly Lazy<IReadOnlyDictionary<string, AnnotatedImage>> All = new(() =>
    {
        using var reader = File.OpenText(RepoPaths.Labels);
        return WiderAnnotations.Parse(reader).ToDictionary(i => i.RelativePath);
    });

    public static IReadOnlyDictionary<string, AnnotatedImage> ByName => All.Value;

    public static IReadOnlyList<GroundTruthFace> Faces(string name) => All.Value[name].Faces;
}
