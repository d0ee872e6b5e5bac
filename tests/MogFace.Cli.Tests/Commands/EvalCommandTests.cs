using System.Globalization;
using System.Text.RegularExpressions;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Commands;

public class EvalCommandTests
{
    [Fact]
    public async Task Evaluates_the_labelled_photos_and_writes_a_WIDER_submission()
    {
        var outDir = Directory.CreateTempSubdirectory().FullName;
        // The labels follow BlazeFace's tight boxes (tests/images/SOURCES.md); YuNet's reach the hairline, so
        // its matches count from IoU 0.4 here (at 0.5 the tilted face of sample1 overlaps 0.43).
        var r = await CliProcess.RunAsync("eval", "--images", RepoPaths.Images, "--annotations", RepoPaths.Labels, "--out", outDir, "--iou", "0.4");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var summary = r.Lines.Last();
        var ap = double.Parse(Regex.Match(summary, @"AP@0\.4 ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var recall = double.Parse(Regex.Match(summary, @"recall ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(ap > 0.95, summary);
        Assert.Equal(1.0, recall);
        Assert.Contains("faces 18", summary);
        Assert.Contains("model yunet-n-", summary);
        var submission = await File.ReadAllLinesAsync(Path.Combine(outDir, "sample5.txt"));
        Assert.Equal("sample5", submission[0]);
        Assert.True(int.Parse(submission[1], CultureInfo.InvariantCulture) >= 5);
        Assert.Equal(5, submission[2].Split(' ').Length); // x y w h score
    }

    [Fact]
    public async Task Max_side_and_model_options_apply()
    {
        var r = await CliProcess.RunAsync("eval", "--images", RepoPaths.Images, "--annotations", RepoPaths.Labels,
            "--model", RepoPaths.BlazeFaceBack, "--max-side", "640");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("AP@0.5 1.0000", r.Lines.Last()); // BlazeFace, a fixed-size family, ignores maxSide
        Assert.Contains("model blazeface-back-", r.Lines.Last());
    }

    [Fact]
    public async Task A_malformed_annotation_file_fails_with_its_line()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "gt.txt");
        await File.WriteAllTextAsync(file, "a.jpg\nmany\n");
        var r = await CliProcess.RunAsync("eval", "--images", RepoPaths.Images, "--annotations", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("line 2", r.Stderr);
    }

    [Fact]
    public async Task Images_that_are_all_missing_fail()
    {
        var r = await CliProcess.RunAsync("eval", "--images", "/nonexistent", "--annotations", RepoPaths.Labels);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not found", r.Stderr);
    }
}
