using MogFace.Engine.Buffers;
using Microsoft.ML.OnnxRuntime;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Families.MogFaceLarge;

// Over 250 lines on purpose: the steps follow the reference pipeline number by number in one place, so a reader
// checks parity with mogface-inference.md top to bottom; TTA and anchors already live in their own files.
/// <summary>
/// The MogFace pipeline of mogface-inference.md: resize policy → OpenCV-exact float resize → normalisation
/// (with the reference's extra /255) → network → anchors of that input size → +1 decode → threshold and
/// pre-NMS top-k → NMS (+1 areas) → max kept → boxes divided by the resize factor (scores untouched).
/// Serving defaults are the ModelScope pipeline's (0.82 / 0.4 / 5000 / 750, suppress only IoU &gt; 0.4);
/// <see cref="DetectionOptions.Evaluation"/> selects the official test's (0.01, top-k before threshold,
/// NMS 0.3 with IoU ≥ suppressing, 750 with ties, official shrink). Boxes are not clipped unless the manifest
/// says <c>clipBoxes</c>. <see cref="DetectionOptions.Tta"/> (or manifest <c>tta</c>) runs the multi-scale +
/// flip test with box voting within <see cref="MogFaceTtaOptions"/>' budget.
/// </summary>
internal sealed class MogFacePipeline : IFacePipeline
{
    private const int SmokeTestSize = 64;

    private readonly InferenceSession _session;
    private readonly MogFaceBinding _binding;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float _threshold, _nmsThreshold;
    private readonly int _preNmsTopK, _maxFaces;
    private readonly MogFaceResizePolicy _resize;
    private readonly bool _resizeNamed, _clip;
    private readonly TimeProvider _time;

    public MogFacePipeline(InferenceSession session, MogFaceBinding binding, ModelManifest manifest, TimeProvider? time = null)
    {
        _session = session;
        _binding = binding;
        _time = time ?? TimeProvider.System;
        _inputNames = [binding.Input];
        _outputNames = [binding.Conf, binding.Loc];
        _threshold = manifest.ScoreThreshold ?? MogFacePostprocessing.ServingThreshold;
        _nmsThreshold = manifest.NmsThreshold ?? MogFacePostprocessing.ServingNms;
        _preNmsTopK = manifest.PreNmsTopK ?? MogFacePostprocessing.DefaultPreNmsTopK;
        _maxFaces = manifest.MaxFaces ?? MogFacePostprocessing.DefaultMaxKept;
        _clip = manifest.ClipBoxes ?? false;
        _resizeNamed = !string.IsNullOrWhiteSpace(manifest.Resize);
        try
        {
            _resize = MogFacePreprocessing.ParsePolicy(manifest.Resize);
        }
        catch (ArgumentException ex)
        {
            throw new ModelFormatException(ex.Message, ex);
        }
        if (_preNmsTopK < 1 || _maxFaces < 1)
            throw new ModelFormatException("The manifest's preNmsTopK and maxFaces must be positive.");
        Tta = MogFaceTtaOptions.FromManifest(manifest);
    }

    public string Family => MogFaceFamily.FamilyName;

    public MogFaceTtaOptions Tta { get; init; }

    public IReadOnlyList<Face> Detect(RgbPixels image, DetectionOptions options, StageClock clock, CancellationToken cancellationToken = default)
    {
        var faces = options.Tta || Tta.Enabled
            ? DetectMultiScale(image, options, clock, out _, cancellationToken)
            : DetectSingleScale(image, options, clock, cancellationToken);
        return faces.Select(c => (_clip ? Clip(c, image.SourceWidth, image.SourceHeight) : c).ToFace()).ToList();
    }

    /// <summary>The single-scale pipeline (serving or evaluation settings).</summary>
    internal List<Candidate> DetectSingleScale(RgbPixels image, DetectionOptions options, StageClock clock, CancellationToken cancellationToken = default)
    {
        using var run = new CancellableRun(cancellationToken);
        var maxKept = options.MaxFaces ?? (options.Evaluation ? MogFacePostprocessing.DefaultMaxKept : _maxFaces);
        var settings = options.Evaluation
            ? MogFacePostprocessing.Official(options.Threshold ?? DetectionOptions.EvaluationThreshold, _preNmsTopK, maxKept)
                with { PlusOneMapping = false }
            : MogFacePostprocessing.Serving(options.Threshold ?? _threshold, _nmsThreshold, _preNmsTopK, maxKept);
        var factor = SingleScaleFactor(image.SourceWidth, image.SourceHeight, options);
        var candidates = RunPass(run, image, factor, clock, (conf, loc, anchors) => MogFaceDecoder.Select(conf, loc, anchors, settings, factor));
        var start = StageClock.Now();
        var kept = settings.Suppress(candidates);
        clock.Postprocess += StageClock.Since(start);
        return kept;
    }

    /// <summary>The resize factor of the single-scale pass for a W×H image.</summary>
    private double SingleScaleFactor(int width, int height, DetectionOptions options)
    {
        // Evaluation follows the official single-scale test's resize unless the manifest names a policy.
        var policy = options.Evaluation && !_resizeNamed ? MogFaceResizePolicy.Shrink : _resize;
        var factor = _binding.IsFixedSize ? FitFactor(width, height) : MogFacePreprocessing.Factor(policy, width, height);
        var (inputWidth, inputHeight) = MogFacePreprocessing.InputSize(width, height, factor);
        return inputWidth < 1 || inputHeight < 1
            ? 1.0 // a sliver (e.g. 5000×1) would shrink to nothing: the reference fails there, we run it at native size
            : factor;
    }

    /// <summary>
    /// The single-scale pass's resized image when it shrinks; the full size for the multi-scale test (its passes
    /// scale up) or a native-size run.
    /// </summary>
    public (int Width, int Height) SampledSize(int width, int height, DetectionOptions options)
    {
        if (options.Tta || Tta.Enabled)
            return (width, height);
        var factor = SingleScaleFactor(width, height, options);
        return factor < 1.0 ? MogFacePreprocessing.InputSize(width, height, factor) : (width, height);
    }

    /// <summary>
    /// The multi-scale + flip test: every pass of <see cref="MogFaceTtaPlan"/> that fits the pixel budget, while
    /// the time budget lasts (the single-scale pass always runs), each with the official per-pass settings and
    /// its area filter, merged by box voting. <paramref name="passesRun"/> says which passes ran. A cancelled
    /// request starts no further pass (and the one in progress is terminated).
    /// </summary>
    internal List<Candidate> DetectMultiScale(RgbPixels image, DetectionOptions options, StageClock clock, out List<MogFaceTtaPass> passesRun,
        CancellationToken cancellationToken = default)
    {
        using var run = new CancellableRun(cancellationToken);
        var maxKept = options.MaxFaces ?? (options.Evaluation ? MogFacePostprocessing.DefaultMaxKept : _maxFaces);
        var threshold = options.Threshold ?? (options.Evaluation ? DetectionOptions.EvaluationThreshold : _threshold);
        var perPass = MogFacePostprocessing.Official(threshold, _preNmsTopK, MogFacePostprocessing.DefaultMaxKept);
        passesRun = [];
        var plan = _binding.IsFixedSize
            ? [new MogFaceTtaPass(1, false), new MogFaceTtaPass(1, true)] // a fixed-size export cannot take other scales
            : MogFaceTtaPlan.For(image.SourceWidth, image.SourceHeight, Tta);
        var started = _time.GetTimestamp();
        var all = new List<Candidate>();
        RgbPixels? mirrored = null;
        foreach (var pass in plan)
        {
            if (passesRun.Count > 0)
            {
                if (_time.GetElapsedTime(started) >= Tta.TimeBudget)
                    break;
                var (w, h) = MogFacePreprocessing.InputSize(image.SourceWidth, image.SourceHeight, pass.Shrink);
                if (w < 1 || h < 1 || (long)w * h > Tta.MaxPassPixels)
                    continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            var source = image;
            if (pass.Flip)
                source = mirrored ??= MogFacePreprocessing.Mirror(image);
            var factor = _binding.IsFixedSize ? FitFactor(image.SourceWidth, image.SourceHeight) : pass.Shrink;
            var candidates = RunPass(run, source, factor, clock, (conf, loc, anchors) => MogFaceDecoder.Select(conf, loc, anchors, perPass, factor));
            var start = StageClock.Now();
            foreach (var c in perPass.Suppress(candidates))
            {
                var box = pass.Flip ? c with { X1 = image.SourceWidth - c.X2 - 1, X2 = image.SourceWidth - c.X1 - 1 } : c;
                if (pass.Keeps(box.X1, box.Y1, box.X2, box.Y2))
                    all.Add(box);
            }
            clock.Postprocess += StageClock.Since(start);
            passesRun.Add(pass);
        }
        var voteStart = StageClock.Now();
        var voted = BoxVoting.Vote(all, Tta.VoteThreshold, maxKept);
        clock.Postprocess += StageClock.Since(voteStart);
        return voted;
    }

    private delegate List<Candidate> Decoder(ReadOnlySpan<float> conf, ReadOnlySpan<float> loc, MogFaceAnchors anchors);

    /// <summary>Preprocesses, runs the network on pooled buffers and decodes, timing each stage.</summary>
    private List<Candidate> RunPass(CancellableRun run, RgbPixels image, double factor, StageClock clock, Decoder decode)
    {
        var start = StageClock.Now();
        var (width, height) = MogFacePreprocessing.InputSize(image.SourceWidth, image.SourceHeight, factor);
        int planeWidth = _binding.FixedWidth ?? width, planeHeight = _binding.FixedHeight ?? height;
        var anchors = MogFaceAnchors.For(planeHeight, planeWidth);
        var inputLength = 3 * planeWidth * planeHeight;
        var input = DetectionBuffers<float>.Rent(inputLength);
        try
        {
            MogFacePreprocessing.Fill(image, factor, input.AsSpan(0, inputLength), planeWidth, planeHeight);
            clock.Preprocess += StageClock.Since(start);

            start = StageClock.Now();
            clock.NetworkRuns++;
            using var outputs = Run(run, input.AsMemory(0, inputLength), planeWidth, planeHeight, anchors.Count);
            clock.Inference += StageClock.Since(start);

            start = StageClock.Now();
            var candidates = decode(outputs.Span(0), outputs.Span(1), anchors);
            clock.Postprocess += StageClock.Since(start);
            return candidates;
        }
        finally
        {
            DetectionBuffers<float>.Return(input);
        }
    }

    /// <summary>
    /// One network run into pooled outputs (conf [1, N, 1], loc [1, N, 4]) that the caller disposes; the input's
    /// OrtValue is disposed (unpinned) before its buffer goes back.
    /// </summary>
    private PooledTensors Run(CancellableRun run, Memory<float> input, int width, int height, int n)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, [1, 3, height, width]);
        var outputs = new PooledTensors([1, n, 1], [1, n, 4]);
        try
        {
            run.Run(_session, _inputNames, [inputValue], _outputNames, outputs.Range(0, 2));
            return outputs;
        }
        catch (OnnxRuntimeException ex)
        {
            outputs.Dispose();
            throw new ModelFormatException(
                $"The model does not produce MogFace's layout for a {width}×{height} input (expected N = {n}: 6 levels at strides 4…128, one anchor per cell): {ex.Message}", ex);
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
    }

    public long[] InputShape(int width, int height)
    {
        var factor = _binding.IsFixedSize ? FitFactor(width, height) : MogFacePreprocessing.Factor(_resize, width, height);
        var (w, h) = MogFacePreprocessing.InputSize(width, height, factor);
        return [1, 3, _binding.FixedHeight ?? h, _binding.FixedWidth ?? w];
    }

    /// <summary>A fixed-size export: the largest factor whose resized image fits its input (padded bottom/right).</summary>
    private double FitFactor(int width, int height) =>
        Math.Min((double)_binding.FixedWidth!.Value / width, (double)_binding.FixedHeight!.Value / height);

    private static Candidate Clip(Candidate c, int width, int height) => c with
    {
        X1 = Math.Clamp(c.X1, 0, width - 1), Y1 = Math.Clamp(c.Y1, 0, height - 1),
        X2 = Math.Clamp(c.X2, 0, width - 1), Y2 = Math.Clamp(c.Y2, 0, height - 1),
    };

    /// <summary>All zeros = the normalised mean colour: a plausible input on which every output must stay finite.</summary>
    public string? SmokeTest(CancellationToken cancellationToken = default) => SmokeTest(null, cancellationToken);

    public string? SmokeTest(byte grey, CancellationToken cancellationToken = default) => SmokeTest((int?)grey, cancellationToken);

    private string? SmokeTest(int? grey, CancellationToken cancellationToken)
    {
        using var run = new CancellableRun(cancellationToken);
        int width = _binding.FixedWidth ?? SmokeTestSize, height = _binding.FixedHeight ?? SmokeTestSize;
        var n = MogFaceAnchors.CountFor(height, width);
        var input = new float[3 * width * height];
        for (var c = 0; grey is { } level && c < 3; c++) // NCHW: one plane per channel, normalised as Preprocess does
            input.AsSpan(c * width * height, width * height).Fill((float)((level - MogFacePreprocessing.Mean[c]) / (MogFacePreprocessing.Std[c] * 255.0)));
        PooledTensors outputs;
        try
        {
            outputs = Run(run, input, width, height, n);
        }
        catch (ModelFormatException ex)
        {
            return ex.Message;
        }
        using (outputs)
        {
            var conf = outputs.Span(0);
            var loc = outputs.Span(1);
            for (var i = 0; i < conf.Length; i++)
                if (!float.IsFinite(conf[i]))
                    return $"output '{_binding.Conf}' has a non-finite value ({conf[i]}) at index {i}";
            for (var i = 0; i < loc.Length; i++)
                if (!float.IsFinite(loc[i]))
                    return $"output '{_binding.Loc}' has a non-finite value ({loc[i]}) at index {i}";
        }
        return null;
    }

    public void Dispose()
    {
    }
}
