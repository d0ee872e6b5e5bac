using System.Text.Json;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests.Commands;

/// <summary>
/// <c>mogface bench --json</c>, run for real with a few iterations: one object per model with every stage's p50,
/// the allocation and GC figures, and the OpenCV peer on the same image when Debian's python3-opencv is installed.
/// </summary>
public sealed class BenchCommandTests
{
    private static bool OpenCvInstalled => PythonScript.Run("-c", "import cv2, numpy").ExitCode == 0;

    private static async Task<JsonElement[]> BenchJsonAsync(params string[] extra)
    {
        var r = await CliProcess.RunAsync(["bench", "--json", "--iterations", "2", "--warmup", "0", .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var document = JsonDocument.Parse(r.Stdout);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public async Task Without_a_model_it_measures_the_default_model_and_reports_every_stage()
    {
        var rows = await BenchJsonAsync();

        var row = Assert.Single(rows);
        Assert.StartsWith("yunet-n-", row.GetProperty("model").GetString());
        Assert.Equal((1920, 1080), (row.GetProperty("image").GetProperty("width").GetInt32(), row.GetProperty("image").GetProperty("height").GetInt32()));
        AssertStagesAreSane(row);
    }

    [Fact]
    public async Task A_given_model_is_measured_with_the_peer_building_its_nhwc_tensor()
    {
        var rows = await BenchJsonAsync("--model", RepoPaths.BlazeFaceFront);

        var row = Assert.Single(rows);
        Assert.StartsWith("blazeface-front-", row.GetProperty("model").GetString());
        AssertStagesAreSane(row);
    }

    [Fact]
    public async Task Size_sets_the_jpeg_every_iteration_decodes()
    {
        var rows = await BenchJsonAsync("--model", RepoPaths.BlazeFaceFront, "--size", "640x2000");

        var row = Assert.Single(rows);
        Assert.Equal((640, 2000), (row.GetProperty("image").GetProperty("width").GetInt32(), row.GetProperty("image").GetProperty("height").GetInt32()));
        AssertStagesAreSane(row);
    }

    [Theory]
    [InlineData("1920")]
    [InlineData("1920x")]
    [InlineData("0x1080")]
    [InlineData("-5x100")]
    [InlineData("axb")]
    [InlineData("8192x8192")] // each side allowed, but 67 MP is past the service's 40 MP limit
    [InlineData("9000x100")]
    public async Task A_size_that_is_not_an_image_the_service_accepts_is_a_usage_error(string size)
    {
        var r = await CliProcess.RunAsync("bench", "--json", "--iterations", "1", "--size", size);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--size", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    private static void AssertStagesAreSane(JsonElement row)
    {
        double Ms(string name) => row.GetProperty(name).GetDouble();
        Assert.True(Ms("inference_ms") > 0 && Ms("decode_ms") > 0 && Ms("preprocess_ms") > 0 && Ms("raw_run_ms") > 0, row.ToString());
        Assert.True(Ms("postprocess_ms") >= 0, row.ToString());
        // Each iteration's total contains its stages, so the medians keep that order.
        Assert.True(Ms("total_ms") >= Ms("inference_ms") && Ms("total_ms") >= Ms("decode_ms"), row.ToString());
        Assert.True(Ms("p99_total_ms") >= Ms("total_ms"), row.ToString());
        Assert.True(row.GetProperty("alloc_bytes_per_request").GetInt64() > 0, row.ToString());
        Assert.True(row.GetProperty("gen2_collections").GetInt32() >= 0, row.ToString());
        Assert.Equal("libjpeg-turbo (system libturbojpeg)", row.GetProperty("jpeg_decoder").GetString()); // test.sh installs it
        if (OpenCvInstalled)
        {
            var peer = row.GetProperty("peer");
            Assert.True(peer.GetProperty("decode_ms").GetDouble() > 0 && peer.GetProperty("preprocess_ms").GetDouble() > 0, row.ToString());
        }
        else
        {
            Assert.False(row.TryGetProperty("peer", out _), "a peer without OpenCV");
        }
    }

    [Fact]
    public async Task Markdown_stays_the_default()
    {
        var r = await CliProcess.RunAsync("bench", "--iterations", "2", "--warmup", "0", "--model", RepoPaths.BlazeFaceFront);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("| model | EP | decode |", r.Stdout);
    }

    [Fact]
    public async Task Non_positive_iterations_are_a_usage_error()
    {
        var r = await CliProcess.RunAsync("bench", "--json", "--iterations", "0");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--iterations", r.Stderr);
    }
}
