using MogFace.Engine.Detection;
using MogFace.Engine.Evaluation;

namespace MogFace.Engine.Tests.Evaluation;

public class WiderEvaluationTests
{
    private const string Sample = """
        0--Parade/0_Parade_marchingband_1_465.jpg
        2
        10 20 30 40 0 0 0 0 0 0
        100 100 50 50 2 0 0 1 0 0
        1--Handshaking/empty.jpg
        0
        0 0 0 0 0 0 0 0 0 0
        """;

    [Fact]
    public void Parses_paths_counts_boxes_invalid_flags_and_empty_images()
    {
        var set = WiderAnnotations.Parse(new StringReader(Sample));
        Assert.Equal(2, set.Count);
        Assert.Equal("0--Parade/0_Parade_marchingband_1_465.jpg", set[0].RelativePath);
        Assert.Equal([10f, 20f, 40f, 60f], set[0].Faces[0].Box);
        Assert.False(set[0].Faces[0].Invalid);
        Assert.True(set[0].Faces[1].Invalid);
        Assert.Empty(set[1].Faces);
    }

    [Theory]
    [InlineData("a.jpg\nthree\n")]
    [InlineData("a.jpg\n2\n1 2 3 4 0 0 0 0 0 0\n")]
    [InlineData("a.jpg\n1\n1 2\n")]
    public void Malformed_files_fail_with_the_line(string text)
    {
        var ex = Assert.Throws<FormatException>(() => WiderAnnotations.Parse(new StringReader(text)));
        Assert.Contains("line", ex.Message);
    }

    private static Face F(float x1, float y1, float x2, float y2, float score) => new([x1, y1, x2, y2], score, []);

    [Fact]
    public void Perfect_detections_give_AP_one()
    {
        var ap = new AveragePrecision();
        ap.Add([new GroundTruthFace(0, 0, 10, 10, false), new GroundTruthFace(50, 50, 10, 10, false)],
            [F(0, 0, 10, 10, 0.9f), F(50, 50, 60, 60, 0.8f)]);
        var r = ap.Compute();
        Assert.Equal(1.0, r.AveragePrecision, 6);
        Assert.Equal(1.0, r.Recall);
    }

    [Fact]
    public void A_higher_ranked_false_positive_lowers_AP_and_a_miss_lowers_recall()
    {
        var ap = new AveragePrecision();
        ap.Add([new GroundTruthFace(0, 0, 10, 10, false), new GroundTruthFace(50, 50, 10, 10, false)],
            [F(200, 200, 210, 210, 0.95f), F(0, 0, 10, 10, 0.9f)]);
        var r = ap.Compute();
        Assert.Equal(0.5, r.Recall);
        Assert.Equal(0.25, r.AveragePrecision, 6); // recall 0.5 reached at precision 0.5
        Assert.Equal(1, r.FalsePositives);
    }

    [Fact]
    public void Detections_of_invalid_faces_are_ignored_and_invalid_faces_are_not_counted()
    {
        var ap = new AveragePrecision();
        ap.Add([new GroundTruthFace(0, 0, 10, 10, false), new GroundTruthFace(50, 50, 10, 10, true)],
            [F(50, 50, 60, 60, 0.99f), F(0, 0, 10, 10, 0.9f)]);
        var r = ap.Compute();
        Assert.Equal(1, r.GroundTruth);
        Assert.Equal(1, r.Ignored);
        Assert.Equal(1.0, r.AveragePrecision, 6);
    }

    [Fact]
    public void Each_face_matches_one_detection_only()
    {
        var ap = new AveragePrecision();
        ap.Add([new GroundTruthFace(0, 0, 10, 10, false)], [F(0, 0, 10, 10, 0.9f), F(0, 0, 10, 10, 0.8f)]);
        Assert.Equal(1, ap.Compute().FalsePositives);
    }

    [Fact]
    public async Task Submission_files_follow_the_WIDER_layout()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        await WiderSubmission.WriteAsync(dir, "0--Parade/img_1.jpg", [F(1.5f, 2, 11.5f, 22, 0.875f)]);
        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, "0--Parade", "img_1.txt"));
        Assert.Equal(["img_1", "1", "1.5 2 10 20 0.875"], lines);
    }
}
