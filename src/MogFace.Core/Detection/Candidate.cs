namespace MogFace.Core.Detection;

/// <summary>A decoded box before suppression. <see cref="Points"/> holds x0, y0, x1, y1, … (may be empty).</summary>
public readonly record struct Candidate(float X1, float Y1, float X2, float Y2, float Score, float[] Points)
{
    public Face ToFace()
    {
        var landmarks = new float[Points.Length / 2][];
        for (var k = 0; k < landmarks.Length; k++)
            landmarks[k] = [Points[2 * k], Points[2 * k + 1]];
        return new Face([X1, Y1, X2, Y2], Score, landmarks);
    }
}
