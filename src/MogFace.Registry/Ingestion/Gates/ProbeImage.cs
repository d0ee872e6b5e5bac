using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion.Gates;

/// <summary>
/// The quality gate's probe: a public-domain portrait (Grace Hopper, US Navy, 512×512) embedded in the
/// assembly, and where its one face is (WIDER-style box from tests/images/labels.txt).
/// </summary>
internal static class ProbeImage
{
    private const string ResourceName = "MogFace.Registry.Ingestion.Gates.probe.jpg";

    /// <summary>[x1, y1, x2, y2] of the face: WIDER label 175 130 187 187 (x, y, w, h).</summary>
    public static float[] ExpectedFace { get; } = [175, 130, 362, 317];

    /// <summary>The IoU the best detection must reach with <see cref="ExpectedFace"/>.</summary>
    public const float MinIoU = 0.5f;

    private static readonly Lazy<RgbPixels> LazyPixels = new(Load);

    public static RgbPixels Pixels => LazyPixels.Value;

    private static RgbPixels Load()
    {
        using var stream = typeof(ProbeImage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded probe image {ResourceName} is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        using var image = ImageIntake.Decode(buffer.ToArray(), ImageLimits.Default);
        var view = RgbPixels.From(image);
        return new RgbPixels(view.Width, view.Height, view.Data.ToArray());
    }

    /// <summary>The best IoU any of <paramref name="faces"/> reaches with the expected face (0 when none).</summary>
    public static float BestIoU(IReadOnlyList<Face> faces)
    {
        var expected = new Candidate(ExpectedFace[0], ExpectedFace[1], ExpectedFace[2], ExpectedFace[3], 0, []);
        var best = 0f;
        foreach (var face in faces)
        {
            var iou = NonMaxSuppression.IoU(new Candidate(face.Box[0], face.Box[1], face.Box[2], face.Box[3], 0, []), expected);
            if (iou > best)
                best = iou;
        }
        return best;
    }
}
