using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;

namespace MogFace.Engine.Families;

/// <summary>A family's inference pipeline over one session. Thread-safe: many requests run it at once.</summary>
public interface IFacePipeline : IDisposable
{
    string Family { get; }

    /// <summary>Faces in original-image pixels, best first.</summary>
    /// <param name="cancellationToken">Stops the detect before each network run and terminates one in progress (<see cref="Inference.CancellableRun"/>).</param>
    /// <exception cref="OperationCanceledException">The token fired.</exception>
    IReadOnlyList<Face> Detect(RgbPixels image, DetectionOptions options, StageClock clock, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the raw network once on a synthetic input and returns null when every output value is finite,
    /// else a description of the problem. Used to validate uploads and to warm a session before it serves.
    /// </summary>
    string? SmokeTest(CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="SmokeTest()"/> on a uniform image of grey level <paramref name="grey"/> (0 black, 255 white):
    /// validation runs the extremes, where a model can be finite on ordinary images and not there. Pipelines
    /// that do not override it run the plain smoke test.
    /// </summary>
    string? SmokeTest(byte grey, CancellationToken cancellationToken = default) => SmokeTest(cancellationToken);

    /// <summary>
    /// The fewest pixels of a <paramref name="width"/>×<paramref name="height"/> image this pipeline samples with
    /// <paramref name="options"/>: a decoder may hand <see cref="Detect"/> pixels scaled down to no less than this
    /// (a JPEG decoded at a reduced DCT scale), with the full size in <see cref="RgbPixels.SourceWidth"/>. The full
    /// size unless the pipeline downscales.
    /// </summary>
    (int Width, int Height) SampledSize(int width, int height, DetectionOptions options) => (width, height);

    /// <summary>The network input shape a serving detect feeds for an image of this size (benchmarks compare with a bare Run of it).</summary>
    long[] InputShape(int width, int height);
}
