
namespace MogFace.Engine.Detection;

public sealed record ImageSize(int Width, int Height);

/// <summary>Milliseconds spent in each stage; <see cref="Total"/> is wall time of the whole call.</summary>
public sealed record StageTimings(double Decode, double Preprocess, double Inference, double Postprocess, double Total);

/// <summary>The detect response of system.md for one image.</summary>
public sealed record DetectionResult(
    string ModelVersion,
    string Instance,
    ImageSize Image,
    IReadOnlyList<Face> Faces,
    StageTimings TimingsMs);
