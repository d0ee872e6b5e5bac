using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;

namespace MogFace.Cli.Bench;

/// <summary>
/// Times each stage of one detect on one encoded image, and a bare <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// with a prepared input on the same session, interleaved so both see the same machine state.
/// </summary>
internal static class EngineBenchmark
{
    /// <param name="AllocatedBytesPerRequest">Managed bytes the decode + detect allocated on the calling thread, per measured iteration.</param>
    /// <param name="Gen2Collections">Gen 2 collections during the measured iterations.</param>
    public sealed record Row(string Model, string Provider, Stats Decode, Stats Preprocess, Stats Inference, Stats Postprocess, Stats Total, Stats RawRun,
        int Width, int Height, long AllocatedBytesPerRequest, int Gen2Collections)
    {
        public double TotalOverRaw => Total.P50 / RawRun.P50;
        public double PipelineOverRaw => (Preprocess.P50 + Inference.P50 + Postprocess.P50) / RawRun.P50;
    }

    /// <summary>A quality-90 JPEG of <paramref name="width"/>×<paramref name="height"/> made from a repository photo (1920×1080 is the benchmark's standard input).</summary>
    public static byte[] SizedJpeg(string sourcePhoto, int width, int height)
    {
        using var image = Image.Load<Rgb24>(sourcePhoto);
        image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(width, height), Mode = ResizeMode.Crop }));
        using var ms = new MemoryStream();
        image.Save(ms, new JpegEncoder { Quality = 90 });
        return ms.ToArray();
    }

    public static Row Run(FaceModel model, byte[] jpeg, int iterations, int warmup, CancellationToken ct)
    {
        using var decoded = ImageIntake.Decode(jpeg, ImageLimits.Default);
        using var rawInput = RawInput(model, decoded.Width, decoded.Height);
        var inputNames = new[] { model.Signature.Inputs[0].Name };
        var outputNames = model.Signature.Outputs.Select(o => o.Name).ToArray();
        using var runOptions = new RunOptions();
        var sampling = model.Sampling(DetectionOptions.Default);

        // Samples go into arrays made before the measured loop: keeping each iteration's StageTimings object (as a
        // list of them did) left 10,000 small objects to be promoted into gen 2 by the benchmark itself.
        double[] decode = new double[iterations], preprocess = new double[iterations], inference = new double[iterations],
            postprocess = new double[iterations], total = new double[iterations], raw = new double[iterations];
        long allocated = 0;
        var gen2 = 0;
        for (var i = 0; i < warmup + iterations; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (i == warmup)
                gen2 = SettledGen2Count();
            var clock = new StageClock();
            // The request's own allocations: ONNX Runtime's threads are native, the raw run below is not counted.
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = StageClock.Now();
            // Decoded as the service decodes a detect request: at the DCT scale the model samples.
            using (var image = ImageIntake.DecodeForDetection(jpeg, ImageLimits.Default, sampling))
            {
                clock.Decode = StageClock.Since(start);
                model.DetectFaces(image.Pixels, DetectionOptions.Default, clock);
            }
            var timings = clock.Finish();
            var requestBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

            var t = Stopwatch.GetTimestamp();
            using (var outputs = model.Session.Run(runOptions, inputNames, [rawInput], outputNames)) { }
            var rawMs = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (i < warmup)
                continue;
            var n = i - warmup;
            (decode[n], preprocess[n], inference[n], postprocess[n], total[n]) = (timings.Decode, timings.Preprocess, timings.Inference, timings.Postprocess, timings.Total);
            raw[n] = rawMs;
            allocated += requestBytes;
        }
        gen2 = GC.CollectionCount(2) - gen2;
        return new Row(model.Version, model.Provider,
            Stats.Of(decode), Stats.Of(preprocess), Stats.Of(inference), Stats.Of(postprocess), Stats.Of(total), Stats.Of(raw),
            decoded.Width, decoded.Height, iterations > 0 ? allocated / iterations : 0, gen2);
    }

    /// <summary>
    /// The gen 2 count once the heap has settled. Model loading, warm-up and the sample arrays leave long-lived
    /// objects in the young generations, and the GC sized its gen 2 budget from the small heap it saw at start-up;
    /// unsettled, promoting them later can start a gen 2 collection in the measured window that no request caused
    /// (a 10,000-iteration YuNet run had one, reason "small allocation", after 17 gen 0/1 collections and no large
    /// allocation past warm-up). A full collection here, as BenchmarkDotNet forces before its measured iterations,
    /// moves them to gen 2 first, so a gen 2 collection counted afterwards is the requests' own.
    /// </summary>
    private static int SettledGen2Count()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.CollectionCount(2);
    }

    /// <summary>An input of the shape the pipeline feeds for this image.</summary>
    private static OrtValue RawInput(FaceModel model, int width, int height)
    {
        var shape = model.Pipeline.InputShape(width, height);
        return OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);
    }

    public static string Markdown(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| model | EP | decode | preprocess | inference | postprocess | total | raw Run | total / raw | (pre+inf+post) / raw |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Model} | {r.Provider} | {r.Decode.P50:0.00} | {r.Preprocess.P50:0.00} | {r.Inference.P50:0.00} | {r.Postprocess.P50:0.00} | {r.Total.P50:0.00} | {r.RawRun.P50:0.00} | {r.TotalOverRaw:0.00} | {r.PipelineOverRaw:0.00} |"));
        }
        sb.AppendLine();
        sb.AppendLine("Milliseconds, median of the measured iterations; `raw Run` is `InferenceSession.Run` on a prepared input of the same shape, interleaved with the pipeline runs.");
        sb.AppendLine($"JPEG decoder: {ImageIntake.JpegDecoder}.");
        return sb.ToString();
    }
}
