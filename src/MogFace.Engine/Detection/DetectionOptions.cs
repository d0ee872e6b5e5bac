namespace MogFace.Engine.Detection;

/// <summary>Per-request overrides; null means "the model manifest's default".</summary>
public sealed record DetectionOptions
{
    public float? Threshold { get; init; }
    public int? MaxFaces { get; init; }

    /// <summary>
    /// Cap on the long side the image is run at, where the family runs images at their own size (YuNet);
    /// null = the manifest's <c>maxSide</c>. Fixed-size families ignore it.
    /// </summary>
    public int? MaxSide { get; init; }

    /// <summary>The range <see cref="MaxSide"/> may take: at least the largest stride, at most a bound on memory and time.</summary>
    public const int MinMaxSide = 32, MaxMaxSide = 4096;

    /// <summary>Accuracy mode (multi-scale + flip) where the family offers it.</summary>
    public bool Tta { get; init; }

    /// <summary>
    /// Use the family's evaluation settings (a low score threshold so the whole precision–recall curve is
    /// seen, and the official NMS) instead of its serving defaults. Explicit values above still win.
    /// </summary>
    public bool Evaluation { get; init; }

    /// <summary>The score threshold evaluation runs at unless told otherwise.</summary>
    public const float EvaluationThreshold = 0.01f;

    public static DetectionOptions Default { get; } = new();

    /// <summary>Returns a message for the first invalid value, or null when all are valid.</summary>
    public string? Validate()
    {
        if (Threshold is { } t && (float.IsNaN(t) || t < 0 || t > 1))
            return $"threshold must be within [0, 1]; got {t}.";
        if (MaxFaces is { } m && m <= 0)
            return $"maxFaces must be a positive integer; got {m}.";
        if (MaxSide is { } side && (side < MinMaxSide || side > MaxMaxSide))
            return $"maxSide must be an integer within [{MinMaxSide}, {MaxMaxSide}]; got {side}.";
        return null;
    }
}
