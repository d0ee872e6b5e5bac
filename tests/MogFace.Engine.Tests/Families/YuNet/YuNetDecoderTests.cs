using MogFace.Engine.Detection;
using MogFace.Engine.Families.YuNet;

namespace MogFace.Engine.Tests.Families.YuNet;

/// <summary>Hand-built output tensors; every expected value below is worked out from the decoding rules in the comments.</summary>
public sealed class YuNetDecoderTests
{
    private static readonly float Ln2 = MathF.Log(2f), LnHalf = MathF.Log(0.5f);

    [Fact]
    public void Decodes_score_centre_size_and_landmarks_of_each_cell()
    {
        // Stride 8, a grid 2 cells wide and 1 high.
        // Cell 0 (col 0, row 0): score √(0.81·1) = 0.9; centre ((0 + 0.5)·8, (0 + 0.25)·8) = (4, 2);
        //   size (e^0·8, e^ln2·8) = (8, 16) → box [0, −6, 8, 10];
        //   landmarks (col + kx, row + ky)·8: (0.25, 0.5) → (2, 4), (0.75, 0.5) → (6, 4), (0.5, 1) → (4, 8),
        //   (0.25, 1.5) → (2, 12), (0.75, 1.5) → (6, 12).
        // Cell 1 (col 1, row 0): cls 1.7 clips to 1, score √(1·0.64) = 0.8; centre ((1 + 0)·8, 0) = (8, 0);
        //   size (e^ln½·8, 8) = (4, 8) → box [6, −4, 10, 4]; landmarks all (1 + 0, 0 + 0)·8 = (8, 0).
        float[] cls = [0.81f, 1.7f], obj = [1f, 0.64f];
        float[] bbox = [0.5f, 0.25f, 0f, Ln2, /* cell 1 */ 0f, 0f, LnHalf, 0f];
        float[] kps = [0.25f, 0.5f, 0.75f, 0.5f, 0.5f, 1f, 0.25f, 1.5f, 0.75f, 1.5f, /* cell 1 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var found = new List<Candidate>();
        YuNetDecoder.Decode(cls, obj, bbox, kps, stride: 8, columns: 2, threshold: 0.5f, factor: 1.0, found);

        Assert.Equal(2, found.Count);
        AssertBox(found[0], 0f, -6f, 8f, 10f, 0.9f);
        Assert.Equal([2f, 4f, 6f, 4f, 4f, 8f, 2f, 12f, 6f, 12f], found[0].Points, Close);
        AssertBox(found[1], 6f, -4f, 10f, 4f, 0.8f);
        Assert.Equal([8f, 0f, 8f, 0f, 8f, 0f, 8f, 0f, 8f, 0f], found[1].Points, Close);
    }

    [Fact]
    public void Cells_are_row_major_and_coordinates_are_divided_by_the_resize_factor()
    {
        // Stride 16, a grid 3 wide and 2 high; only cell 4 scores: row 4 / 3 = 1, col 4 % 3 = 1.
        // Input pixels: centre ((1 + 0)·16, (1 + 0)·16) = (16, 16), size 16 → box [8, 8, 24, 24].
        // The image was scaled by 0.5 before the network: image pixels are twice that → [16, 16, 48, 48];
        // landmark k at (1 + kx, 1 + ky)·16 / 0.5: (0.5, 0.5) → (48, 48), the rest (0, 0) → (32, 32).
        var cls = new float[6];
        var obj = new float[6];
        cls[4] = obj[4] = 1f;
        var bbox = new float[24];
        var kps = new float[60];
        kps[40] = kps[41] = 0.5f;
        var found = new List<Candidate>();
        YuNetDecoder.Decode(cls, obj, bbox, kps, stride: 16, columns: 3, threshold: 0.5f, factor: 0.5, found);

        var face = Assert.Single(found);
        AssertBox(face, 16f, 16f, 48f, 48f, 1f);
        Assert.Equal([48f, 48f, 32f, 32f, 32f, 32f, 32f, 32f, 32f, 32f], face.Points, Close);
    }

    [Fact]
    public void Scores_are_clipped_products_and_only_those_strictly_above_the_threshold_count()
    {
        // cls −0.5 clips to 0 → score 0; √(0.25·1) = 0.5 is not above 0.5; √(0.36·1) = 0.6 is; NaN never counts.
        float[] cls = [-0.5f, 0.25f, 0.36f, float.NaN], obj = [1f, 1f, 1f, 1f];
        var found = new List<Candidate>();
        YuNetDecoder.Decode(cls, obj, new float[16], new float[40], stride: 8, columns: 4, threshold: 0.5f, factor: 1.0, found);

        var face = Assert.Single(found);
        Assert.Equal(0.6f, face.Score, 5);
        // Cell 2 with zero offsets: centre (2·8, 0) = (16, 0), size 8 → [12, −4, 20, 4].
        AssertBox(face, 12f, -4f, 20f, 4f, 0.6f);
    }

    [Fact]
    public void A_box_that_overflows_is_dropped()
    {
        // e^200 is +∞ in float32: such a box cannot be served.
        float[] cls = [1f], obj = [1f], bbox = [0f, 0f, 200f, 0f];
        var found = new List<Candidate>();
        YuNetDecoder.Decode(cls, obj, bbox, new float[10], stride: 8, columns: 1, threshold: 0.5f, factor: 1.0, found);
        Assert.Empty(found);
    }

    [Fact]
    public void Outputs_that_do_not_fit_the_grid_are_refused()
    {
        var found = new List<Candidate>();
        Assert.Throws<InvalidOperationException>(() =>
            YuNetDecoder.Decode(new float[3], new float[3], new float[12], new float[30], stride: 8, columns: 2, threshold: 0.5f, factor: 1.0, found));
    }

    private static readonly IEqualityComparer<float> Close = EqualityComparer<float>.Create((a, b) => MathF.Abs(a - b) < 1e-4f);

    private static void AssertBox(Candidate c, float x1, float y1, float x2, float y2, float score)
    {
        Assert.Equal(x1, c.X1, 4);
        Assert.Equal(y1, c.Y1, 4);
        Assert.Equal(x2, c.X2, 4);
        Assert.Equal(y2, c.Y2, 4);
        Assert.Equal(score, c.Score, 5);
    }
}
