using MogFace.Engine.Detection;
using MogFace.Engine.Families.BlazeFace;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Families.BlazeFace;

public class BlazeFaceDecoderTests
{
    [Fact]
    public void Sigmoid_clamps_extreme_logits_instead_of_overflowing()
    {
        Assert.Equal(0.5f, BlazeFaceDecoder.Sigmoid(0));
        Assert.Equal(1f, BlazeFaceDecoder.Sigmoid(1e30f));
        Assert.True(BlazeFaceDecoder.Sigmoid(-1e30f) is >= 0 and < 1e-40f);
    }

    [Fact]
    public void One_anchor_with_known_offsets_gives_a_known_box_in_source_pixels()
    {
        // Square 512×512 source on a 256 input: scale 0.5, no padding. Anchor 0 is centred at (8, 8) px.
        var logits = Enumerable.Repeat(-10f, 512).ToArray();
        var raw = new float[512 * 16];
        logits[0] = 5f;
        raw[0] = 2f; raw[1] = -4f; raw[2] = 20f; raw[3] = 30f; // cx, cy offsets and size in input pixels
        raw[4] = 1f; raw[5] = 1f;                               // first keypoint offset
        var found = new List<Candidate>();
        BlazeFaceDecoder.Decode(logits, raw, 0, 256, 0.5f, new Letterbox(512, 512, 256, 256), found);

        var c = Assert.Single(found);
        Assert.Equal(BlazeFaceDecoder.Sigmoid(5f), c.Score);
        // centre (10, 4) px, size 20×30 → (0, -11)…(20, 19) on the input, ×2 on the source.
        Assert.Equal([0f, -22f, 40f, 38f], new[] { c.X1, c.Y1, c.X2, c.Y2 });
        Assert.Equal(12, c.Points.Length);
        Assert.Equal((18f, 18f), (c.Points[0], c.Points[1]));
    }

    [Fact]
    public void The_coarse_block_uses_its_own_anchors_and_padding_is_removed()
    {
        // 512×256 source: scale 0.5, padded 64 px top and bottom. Last coarse anchor: centre (240, 240) px.
        var logits = Enumerable.Repeat(-10f, 384).ToArray();
        var raw = new float[384 * 16];
        logits[383] = 3f;
        raw[383 * 16 + 2] = 10f;
        raw[383 * 16 + 3] = 10f;
        var found = new List<Candidate>();
        BlazeFaceDecoder.Decode(logits, raw, BlazeFaceAnchors.FineCount, 256, 0.5f, new Letterbox(512, 256, 256, 256), found);
        var c = Assert.Single(found);
        Assert.Equal([470f, 342f, 490f, 362f], new[] { c.X1, c.Y1, c.X2, c.Y2 });
    }

    [Fact]
    public void Scores_below_the_threshold_and_NaN_are_skipped()
    {
        var logits = new[] { -1f, float.NaN, 0.1f };
        var raw = new float[3 * 16];
        var found = new List<Candidate>();
        BlazeFaceDecoder.Decode(logits, raw, 0, 256, 0.5f, new Letterbox(256, 256, 256, 256), found);
        Assert.Single(found); // only the 0.1 logit (score 0.525)
    }
}
