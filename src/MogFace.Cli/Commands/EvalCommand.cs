using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using MogFace.Engine.Detection;
using MogFace.Engine.Evaluation;
using MogFace.Engine.Imaging;

namespace MogFace.Cli.Commands;

/// <summary><c>mogface eval --images DIR --annotations wider_face_val_bbx_gt.txt [--model] [--out DIR]</c>.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var images = new Option<DirectoryInfo>("--images") { Required = true, Description = "Folder the annotation paths are relative to (WIDER_val/images)." };
        var annotations = new Option<FileInfo>("--annotations") { Required = true, Description = "wider_face_val_bbx_gt.txt or a file in its format." };
        var model = new Option<FileInfo?>("--model") { Description = "ONNX model (default: models/yunet/yunet-n.onnx)." };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Write detections here in the WIDER submission format." };
        var threshold = new Option<float?>("--threshold") { Description = $"Score threshold (default {DetectionOptions.EvaluationThreshold}, the family's evaluation settings)." };
        var iou = new Option<float>("--iou") { DefaultValueFactory = _ => 0.5f, Description = "IoU for a match (default 0.5)." };
        var maxSide = new Option<int?>("--max-side") { Description = "Cap on the long side the image is run at (YuNet; default: the model's, 1280)." };
        var tta = new Option<bool>("--tta") { Description = "Accuracy mode where the family offers it." };
        var command = new Command("eval", "Average precision on a WIDER FACE style data set.") { images, annotations, model, outDir, threshold, iou, maxSide, tta };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var annotationFile = parse.GetValue(annotations)!;
            if (!annotationFile.Exists)
                throw new CliException($"Annotation file not found: {annotationFile.FullName}");
            IReadOnlyList<AnnotatedImage> set;
            using (var reader = annotationFile.OpenText())
            {
                try { set = WiderAnnotations.Parse(reader); }
                catch (FormatException ex) { throw new CliException($"{annotationFile.FullName}: {ex.Message}"); }
            }
            var options = new DetectionOptions { Evaluation = true, Threshold = parse.GetValue(threshold), MaxSide = parse.GetValue(maxSide), Tta = parse.GetValue(tta) };
            if (options.Validate() is { } problem)
                throw new CliException(problem);
            using var faceModel = await ModelLocator.LoadAsync(parse.GetValue(model), cancellationToken: ct);
            var root = parse.GetValue(images)!.FullName;
            var output = parse.GetValue(outDir)?.FullName;
            var ap = new AveragePrecision(parse.GetValue(iou));
            var missing = 0;

            var progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress();
            await progress.StartAsync(async context =>
            {
                var task = context.AddTask("evaluating", maxValue: set.Count);
                foreach (var item in set)
                {
                    ct.ThrowIfCancellationRequested();
                    var path = Path.Combine(root, item.RelativePath);
                    if (!File.Exists(path))
                    {
                        missing++;
                        task.Increment(1);
                        continue;
                    }
                    using var image = ImageIntake.Decode(await File.ReadAllBytesAsync(path, ct), ImageLimits.Default);
                    var faces = faceModel.DetectFaces(RgbPixels.From(image), options, new StageClock());
                    ap.Add(item.Faces, faces);
                    if (output is not null)
                        await WiderSubmission.WriteAsync(output, item.RelativePath, faces, ct);
                    task.Increment(1);
                }
            });
            if (missing > 0)
                await Console.Error.WriteLineAsync($"warning: {missing} annotated image(s) not found under {root}");
            var r = ap.Compute();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"images {set.Count - missing}  faces {r.GroundTruth}  AP@{parse.GetValue(iou):0.##} {r.AveragePrecision:0.0000}  recall {r.Recall:0.0000}  TP {r.TruePositives}  FP {r.FalsePositives}  ignored {r.Ignored}  model {faceModel.Version}"));
            return missing == set.Count && set.Count > 0 ? 1 : 0;
        }));
        return command;
    }
}
