using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Inference;
using MogFace.Registry.Configuration;
using MogFace.Registry.Ingestion.Gates;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion;

/// <summary>
/// Decides whether uploaded bytes may become a version: loads on CPU (validation never takes the GPU a
/// serving model needs), matches the signature to a family, runs the network once and requires finite
/// outputs (on a mid-grey, an all-black and an all-white input), then (unless switched off) requires the face of
/// the probe image to be found at IoU ≥ 0.5 and no face at all in the face-free <see cref="NegativeProbes"/>, and
/// measures the AP on the <see cref="GoldenSet"/> that the accuracy regression gate compares.
/// </summary>
internal sealed class ModelValidator(SessionFactory sessions, IOptions<MogFaceOptions> options)
{
    /// <summary>
    /// Never throws for anything a model can cause: an unexpected failure (an overflow, an allocation the
    /// declared shapes ask for) is a <see cref="RejectionCodes.ValidationError"/> rejection, not a 500.
    /// </summary>
    /// <param name="cancellationToken">Terminates the network run in progress and stops the checks (<see cref="ValidationWorker"/>'s time limit).</param>
    public ValidationResult Validate(byte[] onnx, ModelManifest? manifest, string version, CancellationToken cancellationToken = default)
    {
        try
        {
            return ValidateCore(onnx, manifest, version, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var reason = $"The model could not be validated ({ex.GetType().Name}: {WithoutPaths(ex.Message, string.Empty)}).";
            return new ValidationResult(new ValidationReport(false, "CPU", 0, 0, false, null, null, reason),
                RejectionCodes.ValidationError, reason, null, null);
        }
    }

    private ValidationResult ValidateCore(byte[] onnx, ModelManifest? manifest, string version, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        FaceModel model;
        // Loaded the way instances load it (FaceModel.Load from a file), from a private directory of its own:
        // nothing else is beside it, and no message names where it is.
        var directory = Directory.CreateTempSubdirectory("mogface-validate-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.onnx");
            File.WriteAllBytes(path, onnx);
            model = FaceModel.Load(sessions, path, manifest, version, cpuOnly: true);
        }
        catch (ExternalDataException ex)
        {
            return Fail(RejectionCodes.ExternalData, ex.Message);
        }
        catch (ModelFormatException ex) when (ex.InnerException is OnnxRuntimeException)
        {
            return Fail(RejectionCodes.Unloadable, $"Not a loadable ONNX model: {WithoutPaths(ex.Message, directory.FullName)}");
        }
        catch (ModelFormatException ex)
        {
            return Fail(RejectionCodes.UnknownSignature, WithoutPaths(ex.Message, directory.FullName));
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidOperationException or ArgumentException)
        {
            return Fail(RejectionCodes.Unloadable, $"Not a loadable ONNX model: {WithoutPaths(ex.Message, directory.FullName)}");
        }
        finally
        {
            directory.Delete(recursive: true); // the session holds what it read
        }

        using (model)
        {
            var loadMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            string? problem;
            try
            {
                problem = model.Pipeline.SmokeTest(cancellationToken);
            }
            catch (OnnxRuntimeException ex)
            {
                return Fail(RejectionCodes.SmokeFailed, $"The model fails to run: {ex.Message}", loadMs);
            }
            if (problem is not null)
                return Fail(RejectionCodes.NonFinite, $"The smoke run produced non-finite outputs: {problem}.", loadMs, clock.Elapsed.TotalMilliseconds);
            // The extremes as well: a model can be finite on a grey frame and a photo and not on a white one.
            foreach (var (grey, name) in ExtremeInputs)
            {
                if (model.Pipeline.SmokeTest(grey, cancellationToken) is { } extreme)
                    return Fail(RejectionCodes.NonFinite, $"The smoke run on an {name} input produced non-finite outputs: {extreme}.", loadMs, clock.Elapsed.TotalMilliseconds);
            }
            var smokeMs = clock.Elapsed.TotalMilliseconds;

            var gate = options.Value.QualityGate && manifest?.QualityGate != false;
            if (!gate)
                return Pass(model, loadMs, smokeMs, gateRun: false, null, null);

            IReadOnlyList<Face> faces;
            try
            {
                faces = model.DetectFaces(ProbeImage.Pixels, DetectionOptions.Default, new StageClock(), cancellationToken);
            }
            catch (OnnxRuntimeException ex)
            {
                return Fail(RejectionCodes.SmokeFailed, $"The model fails on the probe image: {ex.Message}", loadMs, smokeMs);
            }
            var iou = ProbeImage.BestIoU(faces);
            if (!(iou >= ProbeImage.MinIoU))
            {
                return Fail(RejectionCodes.QualityGate,
                    $"Quality gate: the model found {faces.Count} face(s) in the probe image and none matches its face " +
                    $"(best IoU {iou:0.00}, needs ≥ {ProbeImage.MinIoU:0.0}). Set \"qualityGate\": false in the manifest to skip this check.",
                    loadMs, smokeMs, faces.Count, iou);
            }
            // The negative half: a model that reports the probe's face whatever it is shown passes the above.
            foreach (var (name, pixels) in NegativeProbes.All)
            {
                var found = model.DetectFaces(pixels, DetectionOptions.Default, new StageClock(), cancellationToken);
                if (found.Count > 0)
                {
                    return Fail(RejectionCodes.QualityGate,
                        $"Quality gate: the model found {found.Count} face(s) in a face-free image ({name}; best score {found.Max(f => f.Score):0.00}). " +
                        "Set \"qualityGate\": false in the manifest to skip this check.",
                        loadMs, smokeMs, faces.Count, iou);
                }
            }
            // What the accuracy regression gate compares (WeightsIngestion): the AP on the embedded golden set.
            var golden = GoldenSet.Evaluate(model, cancellationToken);
            return Pass(model, loadMs, smokeMs, gateRun: true, faces.Count, iou, golden.AveragePrecision);
        }

        ValidationResult Pass(FaceModel m, double loadMs, double smokeMs, bool gateRun, int? probeFaces, double? iou, double? goldenAp = null) =>
            new(new ValidationReport(true, m.Provider, Round(loadMs), Round(smokeMs), gateRun, probeFaces, iou is { } v ? Round(v) : null, null,
                    goldenAp is { } ap ? Math.Round(ap, 4) : null),
                null, null, m.Family.Name, m.Manifest);

        static ValidationResult Fail(string code, string reason, double loadMs = 0, double smokeMs = 0, int? probeFaces = null, double? iou = null) =>
            new(new ValidationReport(false, "CPU", Round(loadMs), Round(smokeMs), probeFaces is not null, probeFaces, iou is { } v ? Round(v) : null, reason),
                code, reason, null, null);
    }

    /// <summary>A message as a client may read it: the private copy's directory and the server's own directories left out.</summary>
    private static string WithoutPaths(string message, string directory)
    {
        foreach (var (path, shown) in new[] { (directory, "<upload>"), (Environment.CurrentDirectory, "<server>"), (Path.GetTempPath().TrimEnd('/'), "<temp>"), (AppContext.BaseDirectory.TrimEnd('/'), "<server>") })
        {
            if (path.Length > 1)
                message = message.Replace(path, shown, StringComparison.Ordinal);
        }
        return message;
    }

    private static readonly (byte Grey, string Name)[] ExtremeInputs = [(0, "all-black"), (255, "all-white")];

    private static double Round(double value) => Math.Round(value, 3);
}
