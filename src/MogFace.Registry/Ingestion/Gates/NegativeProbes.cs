using MogFace.Engine.Imaging;
using MogFace.Registry.Ingestion;
using MogFace.Registry.Storage;

namespace MogFace.Registry.Ingestion.Gates;

/// <summary>
/// Images with no face, for the quality gate's negative half: a model that ignores its input and always reports
/// a face where the probe's face is passes the positive probe, and must fail here. All-black, all-white, and the
/// probe photo itself with its face (and a margin) painted over in mid-grey: a natural image with the same
/// background and no face. Built in memory from the public-domain probe, so nothing else ships in the assembly.
/// </summary>
internal static class NegativeProbes
{
    private const int Side = 256;

    private static readonly Lazy<IReadOnlyList<(string Name, RgbPixels Pixels)>> LazyAll = new(Build);

    public static IReadOnlyList<(string Name, RgbPixels Pixels)> All => LazyAll.Value;

    private static IReadOnlyList<(string, RgbPixels)> Build() =>
    [
        ("all-black", Uniform(0)),
        ("all-white", Uniform(255)),
        ("the probe photo with its face painted over", ProbeWithoutFace()),
    ];

    private static RgbPixels Uniform(byte value) => new(Side, Side, Enumerable.Repeat(value, Side * Side * 3).ToArray());

    private static RgbPixels ProbeWithoutFace()
    {
        var probe = ProbeImage.Pixels;
        var data = probe.Data.ToArray();
        var box = ProbeImage.ExpectedFace;
        // A quarter of the face's size around it as well, so no chin, hair line or ear is left to find.
        float marginX = (box[2] - box[0]) / 4, marginY = (box[3] - box[1]) / 4;
        int x1 = Math.Max(0, (int)(box[0] - marginX)), x2 = Math.Min(probe.Width, (int)(box[2] + marginX));
        int y1 = Math.Max(0, (int)(box[1] - marginY)), y2 = Math.Min(probe.Height, (int)(box[3] + marginY));
        for (var y = y1; y < y2; y++)
            data.AsSpan((y * probe.Width + x1) * 3, (x2 - x1) * 3).Fill(128);
        return new RgbPixels(probe.Width, probe.Height, data);
    }
}
