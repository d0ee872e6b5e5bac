using MogFace.Engine;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Fuzz.Targets;

/// <summary>
/// The detect path from bytes to boxes: <see cref="ImageIntake.DecodedPixels"/> (what the decode budget counts), then
/// <see cref="ImageIntake.DecodeForDetection"/> (format sniffing, header checks, truncation checks, JPEG scan walk,
/// decode at the model's DCT scale, EXIF orientation) and a real model (YuNet-n, committed) on the pixels. Allowed refusal: <see cref="ImageInputException"/>.
/// </summary>
internal sealed class ImageIntakeTarget : IFuzzTarget
{
    // Smaller caps than the service's: a header the fuzzer inflates to 40 MP would spend every execution decoding
    // grey; the checks that enforce the caps are the same code whatever their values.
    private static readonly ImageLimits Limits = new() { MaxBytes = 1024 * 1024, MaxPixels = 4_000_000 };
    private static readonly DetectionOptions Options = new() { MaxSide = 160 };

    private FaceModel? _model;

    public void Prepare()
    {
        var path = Environment.GetEnvironmentVariable("MOGFACE_FUZZ_MODEL") ?? RepoFile("models/yunet/yunet-n.onnx");
        var factory = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 1, InterOpThreads = 1 });
        _model = FaceModel.Load(factory, path, ModelManifest.LoadBesideAsync(path).GetAwaiter().GetResult(), "fuzz", cpuOnly: true);
    }

    public void Run(Stream input)
    {
        var bytes = FuzzTargets.ReadAll(input);
        // As a detect request: the decode budget's count, then the decode at the DCT scale the model samples.
        var sampling = _model!.Sampling(Options);
        if (ImageIntake.DecodedPixels(bytes, sampling) < 0 || ImageIntake.DecodedPixels(bytes, null) < 0)
            throw new InvalidOperationException("DecodedPixels answered a negative pixel count.");
        DecodedImage image;
        try
        {
            image = ImageIntake.DecodeForDetection(bytes, Limits, sampling);
        }
        catch (ImageInputException)
        {
            return; // the defined refusal: 400/413/415/422 problem+json
        }
        using (image)
            _model.Detect(image, Options, "fuzz", new StageClock());
    }

    /// <summary>A file of the repository, found above the published fuzz binary.</summary>
    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}; set MOGFACE_FUZZ_MODEL.");
    }
}
