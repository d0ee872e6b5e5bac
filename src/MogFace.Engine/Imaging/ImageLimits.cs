namespace MogFace.Engine.Imaging;

/// <summary>Limits checked before any pixel is allocated.</summary>
public sealed record ImageLimits
{
    public const long DefaultMaxBytes = 20L * 1024 * 1024;
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>Largest encoded image accepted, in bytes (default 20 MiB).</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Largest width × height accepted (default 40 MP), checked from the header.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    public static ImageLimits Default { get; } = new();
}
