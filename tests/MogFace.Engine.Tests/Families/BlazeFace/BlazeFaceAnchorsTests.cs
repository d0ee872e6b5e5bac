using MogFace.Engine.Families.BlazeFace;

namespace MogFace.Engine.Tests.Families.BlazeFace;

public class BlazeFaceAnchorsTests
{
    [Fact]
    public void There_are_896_anchors_split_512_and_384()
    {
        Assert.Equal(896 * 2, BlazeFaceAnchors.Centres.Length);
        Assert.Equal(512, BlazeFaceAnchors.FineCount);
        Assert.Equal(384, BlazeFaceAnchors.CoarseCount);
    }

    [Fact]
    public void Fine_grid_has_two_anchors_per_cell_in_row_major_order()
    {
        var c = BlazeFaceAnchors.Centres;
        Assert.Equal((0.5f / 16, 0.5f / 16), (c[0], c[1]));
        Assert.Equal((0.5f / 16, 0.5f / 16), (c[2], c[3]));   // second anchor, same cell
        Assert.Equal((1.5f / 16, 0.5f / 16), (c[4], c[5]));   // next column
        Assert.Equal((0.5f / 16, 1.5f / 16), (c[64], c[65])); // next row: 16 cells × 2 anchors later
    }

    [Fact]
    public void Coarse_grid_has_six_anchors_per_cell_and_ends_at_the_last_cell()
    {
        var c = BlazeFaceAnchors.Centres;
        var first = 512 * 2;
        for (var a = 0; a < 6; a++)
            Assert.Equal((0.5f / 8, 0.5f / 8), (c[first + 2 * a], c[first + 2 * a + 1]));
        Assert.Equal((7.5f / 8, 7.5f / 8), (c[^2], c[^1]));
    }
}
