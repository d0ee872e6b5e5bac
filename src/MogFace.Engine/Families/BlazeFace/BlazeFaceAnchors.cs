namespace MogFace.Engine.Families.BlazeFace;

/// <summary>
/// MediaPipe's SSD anchors for BlazeFace (fixed anchor size 1, offset 0.5), in units of the input square.
/// Both published models have a 16×16 grid with 2 anchors per cell (the 512 block) and an 8×8 grid with 6
/// (the 384 block): the front model at strides 8/16 of 128 px, the back model at strides 16/32 of 256 px.
/// </summary>
public static class BlazeFaceAnchors
{
    public const int FineGrid = 16, FinePerCell = 2, CoarseGrid = 8, CoarsePerCell = 6;
    public const int FineCount = FineGrid * FineGrid * FinePerCell;       // 512
    public const int CoarseCount = CoarseGrid * CoarseGrid * CoarsePerCell; // 384
    public const int Count = FineCount + CoarseCount;                        // 896

    /// <summary>Anchor centres as x0, y0, x1, y1, …, in MediaPipe's order (row, column, anchor).</summary>
    public static float[] Centres { get; } = Generate();

    private static float[] Generate()
    {
        var centres = new float[Count * 2];
        var i = 0;
        foreach (var (grid, perCell) in new[] { (FineGrid, FinePerCell), (CoarseGrid, CoarsePerCell) })
        {
            for (var y = 0; y < grid; y++)
            for (var x = 0; x < grid; x++)
            for (var a = 0; a < perCell; a++)
            {
                centres[i++] = (x + 0.5f) / grid;
                centres[i++] = (y + 0.5f) / grid;
            }
        }
        return centres;
    }
}
