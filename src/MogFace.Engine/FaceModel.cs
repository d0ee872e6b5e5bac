using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using MogFace.Engine.Detection;
using MogFace.Engine.Families;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;

namespace MogFace.Engine;

/// <summary>
/// One loaded model version: a session created once, its family pipeline and manifest. Thread-safe for
/// concurrent detects; disposing it releases the session (and its GPU memory), so the owner must make sure
/// no request still uses it (the model lifecycle does that with leases).
/// </summary>
public sealed class FaceModel : IDisposable
{
    private readonly SessionHandle _session;
    private int _disposed;

    private FaceModel(string version, ModelManifest manifest, IModelFamily family, SessionHandle session, ModelSignature signature)
    {
        Version = version;
        Manifest = manifest;
        Family = family;
        _session = session;
        Signature = signature;
        Pipeline = family.CreatePipeline(session.Session, signature, manifest);
    }

    public string Version { get; }
    public ModelManifest Manifest { get; }
    public IModelFamily Family { get; }
    public ModelSignature Signature { get; }
    public IFacePipeline Pipeline { get; }

    /// <summary>The raw session, for benchmarks that compare the pipeline with a bare Run.</summary>
    public InferenceSession Session => _session.Session;

    /// <summary>"CUDA" or "CPU": what actually runs the session.</summary>
    public string Provider => _session.Provider;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Creates the session and binds the family (named by the manifest or detected from the signature).</summary>
    /// <exception cref="ModelFormatException">The bytes are not a model this service can serve.</exception>
    public static FaceModel Load(SessionFactory factory, byte[] onnx, ModelManifest? manifest, string version, bool cpuOnly = false) =>
        Create(() => cpuOnly ? factory.CreateCpu(onnx) : factory.Create(onnx), manifest, version);

    /// <summary>
    /// The loading path of both validation (a private copy of the upload) and serving (the cache file): from a
    /// file, whose tensors must all be inside it (<see cref="ExternalDataScan"/>).
    /// </summary>
    /// <exception cref="ModelFormatException">The file keeps a tensor outside itself, or is not a model this service can serve.</exception>
    public static FaceModel Load(SessionFactory factory, string path, ModelManifest? manifest, string version, bool cpuOnly = false)
    {
        if (ExternalDataScan.Find(File.ReadAllBytes(path)) is { } tensor)
            throw new ExternalDataException(tensor);
        return Create(() => cpuOnly ? factory.CreateCpu(path) : factory.Create(path), manifest, version);
    }

    /// <summary>
    /// A model file as a local tool sees it: the manifest beside it (<c>&lt;name&gt;.json</c>) when present, and
    /// the same content-addressed version id the service would give it (<c>&lt;name&gt;-&lt;sha12&gt;</c>).
    /// </summary>
    public static async Task<FaceModel> LoadFileAsync(SessionFactory factory, string path, CancellationToken cancellationToken = default)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        var manifest = await ModelManifest.LoadBesideAsync(path, cancellationToken);
        var version = ModelVersion.Id(manifest?.Name ?? Path.GetFileName(path), ModelVersion.Sha256Hex(bytes));
        return Load(factory, bytes, manifest, version);
    }

    private static FaceModel Create(Func<SessionHandle> open, ModelManifest? manifest, string version)
    {
        SessionHandle session;
        try
        {
            session = open();
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelFormatException($"ONNX Runtime cannot load the model: {ex.Message}", ex);
        }
        try
        {
            manifest ??= ModelManifest.Empty;
            var signature = ModelSignature.From(session.Session);
            var family = ModelFamilies.Resolve(signature, manifest.Family);
            return new FaceModel(version, manifest with { Family = family.Name }, family, session, signature);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired: no further network run started, the one in progress terminated.</exception>
    public IReadOnlyList<Face> DetectFaces(RgbPixels image, DetectionOptions options, StageClock clock, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return Pipeline.Detect(image, options, clock, cancellationToken);
    }

    /// <summary>The fewest pixels of a W×H image a detect with <paramref name="options"/> samples (<see cref="IFacePipeline.SampledSize"/>).</summary>
    public (int Width, int Height) SampledSize(int width, int height, DetectionOptions options) =>
        Pipeline.SampledSize(width, height, options);

    /// <summary>What <see cref="ImageIntake.DecodeForDetection"/> needs to decode no more of a JPEG than this model samples.</summary>
    public Func<int, int, (int Width, int Height)> Sampling(DetectionOptions options) => (width, height) => SampledSize(width, height, options);

    /// <summary>Runs the model on pixels decoded for it (possibly at a reduced scale) and shapes the response of system.md.</summary>
    public DetectionResult Detect(DecodedImage image, DetectionOptions options, string instance, StageClock clock, CancellationToken cancellationToken = default)
    {
        var faces = DetectFaces(image.Pixels, options, clock, cancellationToken);
        return new DetectionResult(Version, instance, new ImageSize(image.Width, image.Height), faces, clock.Finish());
    }

    /// <summary>Runs the model on a decoded image and shapes the response of system.md.</summary>
    public DetectionResult Detect(Image<Rgb24> image, DetectionOptions options, string instance, StageClock clock, CancellationToken cancellationToken = default)
    {
        var faces = DetectFaces(RgbPixels.From(image), options, clock, cancellationToken);
        return new DetectionResult(Version, instance, new ImageSize(image.Width, image.Height), faces, clock.Finish());
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Pipeline.Dispose();
        _session.Dispose();
    }
}
