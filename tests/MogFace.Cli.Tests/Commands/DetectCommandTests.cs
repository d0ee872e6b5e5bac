using System.Text.Json;
using MogFace.Tests.Shared;
using SixLabors.ImageSharp;

namespace MogFace.Cli.Tests.Commands;

public class DetectCommandTests
{
    [Fact]
    public async Task Prints_one_json_object_per_image_with_path_version_and_faces()
    {
        var r = await CliProcess.RunAsync("detect", RepoPaths.Image("sample5.jpg"), RepoPaths.Image("grace_hopper_512x512.jpg"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2, r.Lines.Length);
        using var first = JsonDocument.Parse(r.Lines[0]);
        var root = first.RootElement;
        Assert.EndsWith("sample5.jpg", root.GetProperty("path").GetString());
        Assert.Equal("yunet-n-104ee26c71d5", root.GetProperty("modelVersion").GetString()); // the default model
        Assert.Equal(1920, root.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(5, root.GetProperty("faces").GetArrayLength());
        var face = root.GetProperty("faces")[0];
        Assert.Equal(["box", "score", "landmarks"], face.EnumerateObject().Select(p => p.Name)); // the contract, nothing more
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.Equal(5, face.GetProperty("landmarks").GetArrayLength());
        Assert.True(root.GetProperty("timingsMs").GetProperty("total").GetDouble() > 0);
    }

    [Fact]
    public async Task Annotate_writes_a_picture_of_the_same_size()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var r = await CliProcess.RunAsync("detect", RepoPaths.Image("sample1.jpg"), "--annotate", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var file = Assert.Single(Directory.GetFiles(dir));
        var info = Image.Identify(file);
        Assert.Equal((1920, 1280), (info.Width, info.Height));
    }

    [Fact]
    public async Task Model_option_and_threshold_change_the_answer()
    {
        var r = await CliProcess.RunAsync("detect", RepoPaths.Image("sample5.jpg"), "--model", RepoPaths.BlazeFaceFront, "--threshold", "0.99");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Lines[0]);
        Assert.StartsWith("blazeface-front-", doc.RootElement.GetProperty("modelVersion").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("faces").GetArrayLength());
    }

    [Fact]
    public async Task A_bad_image_among_good_ones_is_reported_and_the_rest_still_run()
    {
        var bad = Path.Combine(Directory.CreateTempSubdirectory().FullName, "notes.jpg");
        await File.WriteAllTextAsync(bad, "not an image");
        var r = await CliProcess.RunAsync("detect", bad, RepoPaths.Image("astronaut.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(2, r.Lines.Length);
        Assert.Contains("\"error\"", r.Lines[0]);
        Assert.Contains("\"faces\"", r.Lines[1]);
        Assert.Contains("notes.jpg", r.Stderr);
    }

    [Theory]
    [InlineData("--threshold", "1.5", "threshold")]
    [InlineData("--max-faces", "0", "maxFaces")]
    [InlineData("--max-side", "16", "maxSide")]
    public async Task Invalid_options_fail_with_a_message(string option, string value, string expected)
    {
        var r = await CliProcess.RunAsync("detect", RepoPaths.Image("astronaut.png"), option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
    }

    [Fact]
    public async Task A_missing_model_file_fails_with_a_message()
    {
        var r = await CliProcess.RunAsync("detect", RepoPaths.Image("astronaut.png"), "--model", "/nonexistent/model.onnx");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Model file not found", r.Stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_a_model_fails_with_a_message()
    {
        var r = await CliProcess.RunAsync("detect", RepoPaths.Image("astronaut.png"), "--model", RepoPaths.Image("astronaut.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("ONNX Runtime cannot load the model", r.Stderr);
    }
}
