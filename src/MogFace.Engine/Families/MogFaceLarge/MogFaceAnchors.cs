using System.Collections.Concurrent;

namespace MogFace.Engine.Families.MogFaceLarge;

/// <summary>
/// MogFace's anchors for one input size: 6 levels at strides 4…128, one square anchor per cell of size
/// 16·2^k·0.68, centred at ((j + 0.5)·stride, (i + 0.5)·stride), ordered level, row, column (the order of
/// the network's flattened NHWC outputs). Level sizes come from repeated ceil-halving of H and W.
/// Instances are immutable and cached per size.
/// </summary>
internal sealed class MogFaceAnchors
{
    public const int Levels = 6;
    public const float Scale = 0.68f;

    /// <summary>How many sizes the cache keeps before it starts over (a service sees few distinct sizes per model).</summary>
    internal const int CacheCapacity = 64;

    private static readonly ConcurrentDictionary<(int Height, int Width), MogFaceAnchors> Cache = new();

    public static readonly int[] Strides = [4, 8, 16, 32, 64, 128];

    /// <summary>Anchor side per level: 16·2^k·0.68 = 10.88, 21.76, 43.52, 87.04, 174.08, 348.16.</summary>
    public static readonly float[] Sizes = [.. Enumerable.Range(0, Levels).Select(k => (float)(16.0 * (1 << k) * 0.68))];

    private MogFaceAnchors(int height, int width)
    {
        Height = height;
        Width = width;
        LevelSizes = LevelSizesFor(height, width);
        var count = LevelSizes.Sum(l => l.Rows * l.Columns);
        CentreX = new float[count];
        CentreY = new float[count];
        Size = new float[count];
        var n = 0;
        for (var k = 0; k < Levels; k++)
        {
            var (rows, columns) = LevelSizes[k];
            float stride = Strides[k], size = Sizes[k];
            for (var i = 0; i < rows; i++)
            for (var j = 0; j < columns; j++)
            {
                CentreX[n] = (j + 0.5f) * stride;
                CentreY[n] = (i + 0.5f) * stride;
                Size[n] = size;
                n++;
            }
        }
    }

    public int Height { get; }
    public int Width { get; }
    public (int Rows, int Columns)[] LevelSizes { get; }
    public float[] CentreX { get; }
    public float[] CentreY { get; }
    public float[] Size { get; }
    public int Count => Size.Length;

    /// <summary>The anchors of an H×W input, computed once per size.</summary>
    public static MogFaceAnchors For(int height, int width)
    {
        if (Cache.TryGetValue((height, width), out var cached))
            return cached;
        if (Cache.Count >= CacheCapacity)
            Cache.Clear(); // bounded: a stream of odd sizes must not grow memory without limit
        return Cache.GetOrAdd((height, width), key => new MogFaceAnchors(key.Height, key.Width));
    }

    internal static int CachedSizes => Cache.Count;

    /// <summary>Rows and columns of each level: two halvings to stride 4, then one per level (x = (x + 1) / 2).</summary>
    public static (int Rows, int Columns)[] LevelSizesFor(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var levels = new (int, int)[Levels];
        int h = (((height + 1) / 2) + 1) / 2, w = (((width + 1) / 2) + 1) / 2;
        for (var k = 0; k < Levels; k++)
        {
            levels[k] = (h, w);
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
        return levels;
    }

    /// <summary>N for an H×W input (640×640 → 34,125).</summary>
    public static int CountFor(int height, int width) => LevelSizesFor(height, width).Sum(l => l.Rows * l.Columns);
}
