using MogFace.Engine.Buffers;
using Microsoft.ML.OnnxRuntime;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families.YuNet;

/// <summary>
/// YuNet as OpenCV's FaceDetectorYN runs it: the image at its own resolution (<see cref="YuNetInputSize"/>),
/// BGR planes of raw 0–255 values (no mean, no scale), padded bottom/right to multiples of 32 → network →
/// per-level decode → pre-NMS top-k → greedy NMS at IoU 0.3 → max kept. Serving keeps faces scoring above
/// 0.6 (OpenCV's sample uses 0.9, which keeps two thirds of the faces of the crowd mosaics; docs/benchmarks.md);
/// <see cref="DetectionOptions.Evaluation"/> keeps everything above 0.01 so AP sees the whole curve.
/// </summary>
internal sealed class YuNetPipeline : IFacePipeline
{
    public const float ServingThreshold = 0.6f, DefaultNms = 0.3f;
    public const int DefaultPreNmsTopK = 5000, DefaultMaxKept = 750;
    private const int SmokeTestSize = 64;

    /// <summary>Network planes B, G, R from the RGB pixels, values as they are.</summary>
    private static readonly PlaneChannel[] Bgr = [new(2, 0, 1), new(1, 0, 1), new(0, 0, 1)];

    private readonly InferenceSession _session;
    private readonly YuNetBinding _binding;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float _threshold, _nmsThreshold;
    private readonly int _preNmsTopK, _maxFaces, _maxSide;
    private readonly bool _clip;

    public YuNetPipeline(InferenceSession session, YuNetBinding binding, ModelManifest manifest)
    {
        _session = session;
        _binding = binding;
        _inputNames = [binding.Input];
        _outputNames = binding.OutputNames();
        _threshold = manifest.ScoreThreshold ?? ServingThreshold;
        _nmsThreshold = manifest.NmsThreshold ?? DefaultNms;
        _preNmsTopK = manifest.PreNmsTopK ?? DefaultPreNmsTopK;
        _maxFaces = manifest.MaxFaces ?? DefaultMaxKept;
        _maxSide = manifest.MaxSide ?? YuNetInputSize.DefaultMaxSide;
        _clip = manifest.ClipBoxes ?? true;
        if (_preNmsTopK < 1 || _maxFaces < 1)
            throw new ModelFormatException("The manifest's preNmsTopK and maxFaces must be positive.");
        if (_maxSide is < DetectionOptions.MinMaxSide or > DetectionOptions.MaxMaxSide)
            throw new ModelFormatException($"The manifest's maxSide must be within [{DetectionOptions.MinMaxSide}, {DetectionOptions.MaxMaxSide}]; got {_maxSide}.");
    }

    public string Family => YuNetFamily.FamilyName;

    public IReadOnlyList<Face> Detect(RgbPixels image, DetectionOptions options, StageClock clock, CancellationToken cancellationToken = default)
    {
        using var run = new CancellableRun(cancellationToken);
        var start = StageClock.Now();
        var size = YuNetInputSize.For(image.SourceWidth, image.SourceHeight, options.MaxSide ?? _maxSide, _binding);
        var length = 3 * size.PlaneWidth * size.PlaneHeight;
        var buffer = DetectionBuffers<float>.Rent(length);
        try
        {
            NchwInput.Fill(image, size.Factor, buffer.AsSpan(0, length), size.PlaneWidth, size.PlaneHeight, Bgr);
            clock.Preprocess += StageClock.Since(start);

            start = StageClock.Now();
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length),
                [1, 3, size.PlaneHeight, size.PlaneWidth]);
            using var outputs = new PooledTensors(OutputShapes(size.PlaneWidth, size.PlaneHeight));
            clock.NetworkRuns++;
            run.Run(_session, _inputNames, [input], _outputNames, outputs.Range(0, _outputNames.Length));
            clock.Inference += StageClock.Since(start);

            start = StageClock.Now();
            var threshold = options.Threshold ?? (options.Evaluation ? DetectionOptions.EvaluationThreshold : _threshold);
            var candidates = new List<Candidate>();
            for (var l = 0; l < _binding.Levels.Count; l++)
            {
                var stride = _binding.Levels[l].Stride;
                YuNetDecoder.Decode(outputs.Span(4 * l), outputs.Span(4 * l + 1), outputs.Span(4 * l + 2), outputs.Span(4 * l + 3),
                    stride, size.PlaneWidth / stride, threshold, size.Factor, candidates);
            }
            var maxFaces = options.MaxFaces ?? (options.Evaluation ? DefaultMaxKept : _maxFaces);
            var kept = NonMaxSuppression.Hard(TopK(candidates, _preNmsTopK), _nmsThreshold, maxFaces);
            var faces = kept.Select(c => (_clip ? c.ClippedTo(image.SourceWidth, image.SourceHeight) : c).ToFace()).ToList();
            clock.Postprocess += StageClock.Since(start);
            return faces;
        }
        finally
        {
            DetectionBuffers<float>.Return(buffer);
        }
    }

    /// <summary>
    /// The outputs in <c>_outputNames</c>' order for a padded input: per level, one row per grid cell of cls, obj
    /// (1 value), bbox (4) and kps (10); the planes are multiples of every stride.
    /// </summary>
    private long[][] OutputShapes(int planeWidth, int planeHeight)
    {
        var shapes = new long[4 * _binding.Levels.Count][];
        for (var l = 0; l < _binding.Levels.Count; l++)
        {
            var stride = _binding.Levels[l].Stride;
            long cells = (long)(planeWidth / stride) * (planeHeight / stride);
            shapes[4 * l] = [1, cells, 1];
            shapes[4 * l + 1] = [1, cells, 1];
            shapes[4 * l + 2] = [1, cells, 4];
            shapes[4 * l + 3] = [1, cells, 2 * YuNetDecoder.Landmarks];
        }
        return shapes;
    }

    /// <summary>The <paramref name="k"/> best candidates (all when fewer): bounds the quadratic NMS at a low threshold.</summary>
    private static List<Candidate> TopK(List<Candidate> candidates, int k)
    {
        if (candidates.Count <= k)
            return candidates;
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        return candidates.GetRange(0, k);
    }

    /// <summary>The resized image when the policy shrinks it; the full size when it runs at native size or scales up.</summary>
    public (int Width, int Height) SampledSize(int width, int height, DetectionOptions options)
    {
        var size = YuNetInputSize.For(width, height, options.MaxSide ?? _maxSide, _binding);
        return size.Factor < 1.0 ? NchwInput.ResizedSize(width, height, size.Factor) : (width, height);
    }

    public long[] InputShape(int width, int height)
    {
        var size = YuNetInputSize.For(width, height, _maxSide, _binding);
        return [1, 3, size.PlaneHeight, size.PlaneWidth];
    }

    /// <summary>A black frame: a plausible input on which every output must stay finite.</summary>
    public string? SmokeTest(CancellationToken cancellationToken = default) => SmokeTest(0, cancellationToken);

    /// <summary>A uniform frame of <paramref name="grey"/> (YuNet takes BGR 0–255 as is, no normalisation).</summary>
    public string? SmokeTest(byte grey, CancellationToken cancellationToken = default)
    {
        using var run = new CancellableRun(cancellationToken);
        int width = _binding.FixedWidth ?? SmokeTestSize, height = _binding.FixedHeight ?? SmokeTestSize;
        var data = new float[3 * width * height];
        Array.Fill(data, grey);
        using var input = OrtValue.CreateTensorValueFromMemory(data, [1, 3, height, width]);
        using var outputs = run.Run(_session, _inputNames, [input], _outputNames);
        return FiniteCheck.FirstProblem(_outputNames, outputs);
    }

    public void Dispose()
    {
    }
}
