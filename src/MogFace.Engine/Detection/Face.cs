using System.Text.Json.Serialization;

namespace MogFace.Engine.Detection;

/// <summary>One detected face, in original-image pixels.</summary>
/// <param name="Box">[x1, y1, x2, y2].</param>
/// <param name="Score">Confidence in [0, 1].</param>
/// <param name="Landmarks">[[x, y], …] (BlazeFace: right eye, left eye, nose, mouth, right ear, left ear); empty when the family has none.</param>
public sealed record Face(float[] Box, float Score, float[][] Landmarks)
{
    [JsonIgnore]
    public float Width => Box[2] - Box[0];
    [JsonIgnore]
    public float Height => Box[3] - Box[1];
}
