using System.Text.Json;
using MogFace.Engine.Tests.Families.MogFaceLarge;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MogFace.Cli.Tests.Commands;

[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary><c>mogface detect --model &lt;mogface-format.onnx&gt; photo.png</c>, run in-process.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class MogFaceDetectCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mogface-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteImage(int width, int height, int x0, int y0, int x1, int y1)
    {
        using var image = new Image<Rgb24>(width, height, new Rgb24(0, 0, 0));
        for (var y = y0; y < y1; y++)
        for (var x = x0; x < x1; x++)
            image[x, y] = new Rgb24(255, 255, 255);
        var path = Path.Combine(_dir, $"photo-{width}x{height}.png");
        image.SaveAsPng(path);
        return path;
    }

    private static async Task<(int Code, string Out)> RunAsync(params string[] args)
    {
        var original = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            var code = await Program.Main(args);
            return (code, writer.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    [Fact]
    public async Task DetectReturnsBoxesInOriginalImagePixels()
    {
        var model = MogFaceTestFiles.Model("bright");
        var small = WriteImage(200, 160, 41, 21, 44, 24);
        var large = WriteImage(2000, 1600, 80, 40, 90, 50); // downscaled to 1000×800 by the reference policy
        var (code, output) = await RunAsync("detect", "--model", model, small, large);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        float[] Box(string line, out float score, out JsonElement root)
        {
            root = JsonDocument.Parse(line).RootElement;
            var face = Assert.Single(root.GetProperty("faces").EnumerateArray());
            score = face.GetProperty("score").GetSingle();
            return face.GetProperty("box").EnumerateArray().Select(e => MathF.Round(e.GetSingle(), 2)).ToArray();
        }
        Assert.Equal([34.34f, 11.62f, 55.10f, 21.50f], Box(lines[0], out var s1, out var r1));
        Assert.Equal([68.68f, 23.24f, 110.20f, 43.00f], Box(lines[1], out var s2, out var r2));
        Assert.True(s1 > 0.99f && s2 > 0.99f && s2 <= 1f);
        Assert.Equal(2000, r2.GetProperty("image").GetProperty("width").GetInt32());
        Assert.StartsWith("mogface-test-bright", r1.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task DetectWithTtaRuns()
    {
        var model = MogFaceTestFiles.Model("bright");
        var small = WriteImage(120, 96, 41, 21, 44, 24);
        var (code, output) = await RunAsync("detect", "--tta", "--model", model, small);
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.NotEmpty(root.GetProperty("faces").EnumerateArray());
    }
}
