using MogFace.Engine.Imaging;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

/// <summary>Synthetic images for the "bright" test model (white pixels fire the stride-4 cell whose anchor centre they cover).</summary>
internal static class MogFaceImages
{
    /// <summary>A black W×H image with a white rectangle [x0, x1) × [y0, y1).</summary>
    public static RgbPixels BlackWithWhite(int width, int height, int x0, int y0, int x1, int y1)
    {
        var data = new byte[width * height * 3];
        for (var y = y0; y < y1; y++)
            data.AsSpan((y * width + x0) * 3, (x1 - x0) * 3).Fill(255);
        return new RgbPixels(width, height, data);
    }
}
