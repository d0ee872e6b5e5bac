namespace MogFace.Engine.Detection;

/// <summary>A decoded box before suppression. <see cref="Points"/> holds x0, y0, x1, y1, … (may be empty).</summary>
public readonly record struct Candidate(float X1, float Y1, float X2, float Y2, float Score, float[] Points)
{
    /// <summary>The box clamped to [0, width] × [0, height] (points untouched: a landmark may lie outside the picture).</summary>
    public Candidate ClippedTo(int width, int height) => this with
    {
        X1 = Math.Clamp(X1, 0, width), Y1 = Math.Clamp(Y1, 0, height),
        X2 = Math.Clamp(X2, 0, width), Y2 = Math.Clamp(Y2, 0, height),
    };

    public Face ToFace()
    {
        var landmarks = new float[Points.Length / 2][];
        for (var k = 0; k < landmarks.Length; k++)
            landmarks[k] = [Points[2 * k], Points[2 * k + 1]];
        return new Face([X1, Y1, X2, Y2], Score, landmarks);
    }
}
