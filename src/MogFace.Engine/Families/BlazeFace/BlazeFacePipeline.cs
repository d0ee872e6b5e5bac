using MogFace.Engine.Buffers;
using Microsoft.ML.OnnxRuntime;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families.BlazeFace;

/// <summary>
/// MediaPipe's published options for the face detectors: RGB scaled to [-1, 1], the image letterboxed into
/// the square input, sigmoid of the clamped logit, weighted NMS at IoU 0.3, minimum score 0.5.
/// </summary>
internal sealed class BlazeFacePipeline : IFacePipeline
{
    private readonly InferenceSession _session;
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

    /// <summary>The outputs in <c>_outputNames</c>' order: fine and coarse scores, fine and coarse boxes (the shapes the family binds).</summary>
    private static readonly long[][] OutputShapes =
    [
        [1, BlazeFaceAnchors.FineCount, 1], [1, BlazeFaceAnchors.CoarseCount, 1],
        [1, BlazeFaceAnchors.FineCount, BlazeFaceFamily.Values], [1, BlazeFaceAnchors.CoarseCount, BlazeFaceFamily.Values],
    ];

    public string Family => BlazeFaceFamily.FamilyName;

    public IReadOnlyList<Face> Detect(RgbPixels image, DetectionOptions options, StageClock clock, CancellationToken cancellationToken = default)
    {
        using var run = new CancellableRun(cancellationToken);
        var size = _io.Size;
        var start = StageClock.Now();
        var letterbox = new Letterbox(image.SourceWidth, image.SourceHeight, size, size);
        var length = size * size * 3;
        var buffer = DetectionBuffers<float>.Rent(length);
        try
        {
            letterbox.FillNhwc(image, buffer.AsSpan(0, length), 1f / 127.5f, -1f);
            clock.Preprocess += StageClock.Since(start);

            start = StageClock.Now();
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), _inputShape);
            using var outputs = new PooledTensors(OutputShapes);
            clock.NetworkRuns++;
            run.Run(_session, _inputNames, [input], _outputNames, outputs.Range(0, OutputShapes.Length));
            clock.Inference += StageClock.Since(start);

            start = StageClock.Now();
            var threshold = options.Threshold ?? (options.Evaluation ? DetectionOptions.EvaluationThreshold : _threshold);
            var candidates = new List<Candidate>();
            BlazeFaceDecoder.Decode(outputs.Span(0), outputs.Span(2), 0, size, threshold, letterbox, candidates);
            BlazeFaceDecoder.Decode(outputs.Span(1), outputs.Span(3), BlazeFaceAnchors.FineCount, size, threshold, letterbox, candidates);
            var maxFaces = options.MaxFaces ?? _maxFaces;
            var kept = _weighted
                ? NonMaxSuppression.Weighted(candidates, _nmsThreshold, maxFaces)
                : NonMaxSuppression.Hard(candidates, _nmsThreshold, maxFaces);
            var faces = kept.Select(c => (_clip ? c.ClippedTo(image.SourceWidth, image.SourceHeight) : c).ToFace()).ToList();
            clock.Postprocess += StageClock.Since(start);
            return faces;
        }
        finally
        {
            DetectionBuffers<float>.Return(buffer);
        }
    }

    /// <summary>The letterboxed image's size in the input when that shrinks it (rounded up), else the full size.</summary>
    public (int Width, int Height) SampledSize(int width, int height, DetectionOptions options)
    {
        var scale = new Letterbox(width, height, _io.Size, _io.Size).Scale;
        return scale < 1f ? ((int)MathF.Ceiling(width * scale), (int)MathF.Ceiling(height * scale)) : (width, height);
    }

    public long[] InputShape(int width, int height) => (long[])_inputShape.Clone();

    public void Dispose()
    {
    }

    /// <summary>A mid-grey frame (all zeros after scaling to [-1, 1]): a plausible input on which every output must stay finite.</summary>
    public string? SmokeTest(CancellationToken cancellationToken = default) => SmokeTest(0f, cancellationToken);

    public string? SmokeTest(byte grey, CancellationToken cancellationToken = default) => SmokeTest(grey / 127.5f - 1f, cancellationToken);

    private string? SmokeTest(float value, CancellationToken cancellationToken)
    {
        using var run = new CancellableRun(cancellationToken);
        var length = _io.Size * _io.Size * 3;
        var data = new float[length];
        Array.Fill(data, value);
        using var input = OrtValue.CreateTensorValueFromMemory(data, _inputShape);
        using var outputs = run.Run(_session, _inputNames, [input], _outputNames);
        return FiniteCheck.FirstProblem(_outputNames, outputs);
    }
}
