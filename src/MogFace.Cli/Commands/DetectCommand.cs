using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SixLabors.ImageSharp;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;
using MogFace.Engine.Json;
using MogFace.Registry.Telemetry;

namespace MogFace.Cli.Commands;

/// <summary><c>mogface detect &lt;image&gt;… [--model] [--threshold] [--annotate DIR]</c>: one JSON object per line.</summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var images = new Argument<FileInfo[]>("image") { Arity = ArgumentArity.OneOrMore, Description = "Image files (JPEG, PNG, WebP, BMP)." };
        var model = new Option<FileInfo?>("--model") { Description = "ONNX model (default: models/yunet/yunet-n.onnx)." };
        var threshold = new Option<float?>("--threshold") { Description = "Minimum score in [0, 1] (default: the model's)." };
        var maxFaces = new Option<int?>("--max-faces") { Description = "Keep at most this many faces." };
        var maxSide = new Option<int?>("--max-side") { Description = "Cap on the long side the image is run at (YuNet; default: the model's, 1280)." };
        var tta = new Option<bool>("--tta") { Description = "Accuracy mode (multi-scale + flip) where the model family offers it." };
        var annotate = new Option<DirectoryInfo?>("--annotate") { Description = "Write each image with its faces drawn into this folder." };
        var command = new Command("detect", "Detect faces; prints one JSON object per image.") { images, model, threshold, maxFaces, maxSide, tta, annotate };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var options = new DetectionOptions { Threshold = parse.GetValue(threshold), MaxFaces = parse.GetValue(maxFaces), MaxSide = parse.GetValue(maxSide), Tta = parse.GetValue(tta) };
            if (options.Validate() is { } problem)
                throw new CliException(problem);
            using var faceModel = await ModelLocator.LoadAsync(parse.GetValue(model), cancellationToken: ct);
            var outDir = parse.GetValue(annotate);
            outDir?.Create();
            var failures = 0;
            foreach (var file in parse.GetValue(images)!)
            {
                try
                {
                    var line = await DetectOneAsync(faceModel, file, options, outDir, ct);
                    Console.Out.WriteLine(line);
                }
                catch (Exception ex) when (ex is ImageInputException or IOException or UnauthorizedAccessException)
                {
                    failures++;
                    Console.Out.WriteLine(JsonSerializer.Serialize(new { path = file.FullName, error = ex.Message }, MogFaceJson.Options));
                    await Console.Error.WriteLineAsync($"error: {file.FullName}: {ex.Message}");
                }
            }
            return failures == 0 ? 0 : 1;
        }));
        return command;
    }

    private static async Task<string> DetectOneAsync(FaceModel model, FileInfo file, DetectionOptions options, DirectoryInfo? annotate, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(file.FullName, ct);
        var clock = new StageClock();
        var start = StageClock.Now();
        using var image = ImageIntake.Decode(bytes, ImageLimits.Default);
        clock.Decode = StageClock.Since(start);
        var result = model.Detect(image, options, Instance, clock);
        if (annotate is not null)
        {
            FaceAnnotator.Draw(image, result.Faces);
            var outPath = Path.Combine(annotate.FullName, Path.GetFileNameWithoutExtension(file.Name) + ".annotated.png");
            await image.SaveAsPngAsync(outPath, ct);
        }
        var json = JsonSerializer.SerializeToNode(result, MogFaceJson.Options)!.AsObject();
        json.Insert(0, "path", JsonValue.Create(file.FullName));
        return json.ToJsonString(MogFaceJson.Options);
    }

    private static string Instance { get; } = $"cli@{Environment.MachineName}";
}
