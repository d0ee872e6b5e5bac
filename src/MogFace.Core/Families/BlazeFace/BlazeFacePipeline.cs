using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using MogFace.Core.Detection;
using MogFace.Core.Imaging;
using MogFace.Core.Inference;

namespace MogFace.Core.Families.BlazeFace;

/// <summary>
/// MediaPipe's published options for the face detectors: RGB scaled to [-1, 1], the image letterboxed into
/// the square input, sigmoid of the clamped logit, weighted NMS at IoU 0.3, minimum score 0.5.
/// </summary>
internal sealed class BlazeFacePipeline : IFacePipeline
{
    private const float LogitClamp = 100f;
    private const int Keypoints = 6;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly BlazeFaceFamily.Io _io;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _inputShape;
    private readonly float _threshold, _nmsThreshold;
    private readonly int _maxFaces;
    private readonly bool _weighted, _clip;

    public BlazeFacePipeline(InferenceSession session, BlazeFaceFamily.Io io, ModelManifest manifest)
    {
        _session = session;
        _io = io;
        _inputNames = [io.Input];
        _outputNames = [io.FineScores, io.CoarseScores, io.FineBoxes, io.CoarseBoxes];
        _inputShape = [1, io.Size, io.Size, 3];
        _threshold = manifest.ScoreThreshold ?? 0.5f;
        _nmsThreshold = manifest.NmsThreshold ?? 0.3f;
        _maxFaces = manifest.MaxFaces ?? 100;
        _weighted = !string.Equals(manifest.Nms, "hard", StringComparison.OrdinalIgnoreCase);
        _clip = manifest.ClipBoxes ?? true;
    }

    public string Family => BlazeFaceFamily.FamilyName;

    public IReadOnlyList<Face> Detect(RgbPixels image, DetectionOptions options, StageClock clock)
    {
        var size = _io.Size;
        var start = StageClock.Now();
        var letterbox = new Letterbox(image.Width, image.Height, size, size);
        var length = size * size * 3;
        var buffer = ArrayPool<float>.Shared.Rent(length);
        try
        {
            letterbox.FillNhwc(image, buffer.AsSpan(0, length), 1f / 127.5f, -1f);
            clock.Preprocess += StageClock.Since(start);

            start = StageClock.Now();
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), _inputShape);
            using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
            clock.Inference += StageClock.Since(start);

            start = StageClock.Now();
            var threshold = options.Threshold ?? (options.Evaluation ? DetectionOptions.EvaluationThreshold : _threshold);
            var candidates = new List<Candidate>();
            Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[2].GetTensorDataAsSpan<float>(), 0, threshold, letterbox, candidates);
            Decode(outputs[1].GetTensorDataAsSpan<float>(), outputs[3].GetTensorDataAsSpan<float>(), BlazeFaceAnchors.FineCount, threshold, letterbox, candidates);
            var maxFaces = options.MaxFaces ?? _maxFaces;
            var kept = _weighted
                ? NonMaxSuppression.Weighted(candidates, _nmsThreshold, maxFaces)
                : NonMaxSuppression.Hard(candidates, _nmsThreshold, maxFaces);
            var faces = kept.Select(c => (_clip ? Clip(c, image.Width, image.Height) : c).ToFace()).ToList();
            clock.Postprocess += StageClock.Since(start);
            return faces;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes one anchor block into source-image pixels.</summary>
    private void Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> raw, int anchorOffset, float threshold,
        Letterbox letterbox, List<Candidate> into)
    {
        var size = _io.Size;
        var centres = BlazeFaceAnchors.Centres;
        for (var i = 0; i < logits.Length; i++)
        {
            var score = Sigmoid(logits[i]);
            if (!(score >= threshold))
                continue;
            var r = raw.Slice(i * BlazeFaceFamily.Values, BlazeFaceFamily.Values);
            // raw / S + anchor is in units of the square; × S gives letterboxed pixels.
            var ax = centres[2 * (anchorOffset + i)] * size;
            var ay = centres[2 * (anchorOffset + i) + 1] * size;
            float cx = r[0] + ax, cy = r[1] + ay, w = r[2], h = r[3];
            var (x1, y1) = letterbox.ToSource(cx - w / 2, cy - h / 2);
            var (x2, y2) = letterbox.ToSource(cx + w / 2, cy + h / 2);
            var points = new float[Keypoints * 2];
            for (var k = 0; k < Keypoints; k++)
                (points[2 * k], points[2 * k + 1]) = letterbox.ToSource(r[4 + 2 * k] + ax, r[5 + 2 * k] + ay);
            into.Add(new Candidate(x1, y1, x2, y2, score, points));
        }
    }

    internal static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-Math.Clamp(logit, -LogitClamp, LogitClamp)));

    private static Candidate Clip(Candidate c, int width, int height) => c with
    {
        X1 = Math.Clamp(c.X1, 0, width), Y1 = Math.Clamp(c.Y1, 0, height),
        X2 = Math.Clamp(c.X2, 0, width), Y2 = Math.Clamp(c.Y2, 0, height),
    };

    public void Dispose() => _runOptions.Dispose();

    public string? SmokeTest()
    {
        var length = _io.Size * _io.Size * 3;
        // A mid-grey frame: the network sees a plausible input, and every output must stay finite.
        var data = new float[length];
        using var input = OrtValue.CreateTensorValueFromMemory(data, _inputShape);
        using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
        return FiniteCheck.FirstProblem(_outputNames, outputs);
    }
}
