using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using MogFace.Engine.Detection;

namespace MogFace.Engine.Imaging;

/// <summary>
/// Draws boxes, scores and landmarks straight into the pixels (ImageSharp.Drawing is not available here):
/// line width and glyph size follow the image size so the marks are readable on phone shots and thumbnails.
/// </summary>
public static class FaceAnnotator
{
    private static readonly Rgb24 BoxColour = new(0, 255, 64);
    private static readonly Rgb24 LabelBackground = new(0, 0, 0);
    private static readonly Rgb24[] LandmarkColours =
    [
        new(255, 64, 64), new(64, 64, 255), new(255, 255, 0), new(255, 0, 255), new(0, 255, 255), new(255, 160, 0),
    ];

    public static void Draw(Image<Rgb24> image, IReadOnlyList<Face> faces)
    {
        var thickness = Math.Max(1, Math.Min(image.Width, image.Height) / 300);
        var glyphScale = Math.Max(1, Math.Min(image.Width, image.Height) / 250);
        image.ProcessPixelRows(rows =>
        {
            var canvas = new Canvas(rows);
            foreach (var face in faces)
            {
                int x1 = (int)MathF.Round(face.Box[0]), y1 = (int)MathF.Round(face.Box[1]);
                int x2 = (int)MathF.Round(face.Box[2]), y2 = (int)MathF.Round(face.Box[3]);
                canvas.Rectangle(x1, y1, x2, y2, thickness, BoxColour);
                for (var k = 0; k < face.Landmarks.Length; k++)
                    canvas.Disc((int)face.Landmarks[k][0], (int)face.Landmarks[k][1], thickness + 1, LandmarkColours[k % LandmarkColours.Length]);
                var label = face.Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
                var labelHeight = (BitmapFont.Height + 2) * glyphScale;
                var labelY = y1 - labelHeight >= 0 ? y1 - labelHeight : y1 + thickness;
                canvas.Text(x1, labelY, label, glyphScale, BoxColour, LabelBackground);
            }
        });
    }

    private readonly ref struct Canvas(SixLabors.ImageSharp.PixelAccessor<Rgb24> rows)
    {
        private readonly SixLabors.ImageSharp.PixelAccessor<Rgb24> _rows = rows;

        public void Fill(int x1, int y1, int x2, int y2, Rgb24 colour)
        {
            x1 = Math.Max(x1, 0); y1 = Math.Max(y1, 0);
            x2 = Math.Min(x2, _rows.Width - 1); y2 = Math.Min(y2, _rows.Height - 1);
            for (var y = y1; y <= y2; y++)
            {
                var row = _rows.GetRowSpan(y);
                for (var x = x1; x <= x2; x++)
                    row[x] = colour;
            }
        }

        public void Rectangle(int x1, int y1, int x2, int y2, int t, Rgb24 colour)
        {
            Fill(x1, y1, x2, y1 + t - 1, colour);
            Fill(x1, y2 - t + 1, x2, y2, colour);
            Fill(x1, y1, x1 + t - 1, y2, colour);
            Fill(x2 - t + 1, y1, x2, y2, colour);
        }

        public void Disc(int cx, int cy, int r, Rgb24 colour)
        {
            for (var y = Math.Max(cy - r, 0); y <= Math.Min(cy + r, _rows.Height - 1); y++)
            {
                var row = _rows.GetRowSpan(y);
                for (var x = Math.Max(cx - r, 0); x <= Math.Min(cx + r, _rows.Width - 1); x++)
                {
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
                        row[x] = colour;
                }
            }
        }

        public void Text(int x, int y, string text, int scale, Rgb24 colour, Rgb24 background)
        {
            var width = (text.Length * (BitmapFont.Width + 1) + 1) * scale;
            Fill(x, y, x + width - 1, y + (BitmapFont.Height + 2) * scale - 1, background);
            var penX = x + scale;
            foreach (var ch in text)
            {
                var glyph = BitmapFont.Glyph(ch);
                for (var gy = 0; gy < BitmapFont.Height; gy++)
                for (var gx = 0; gx < BitmapFont.Width; gx++)
                {
                    if ((glyph[gy] >> (BitmapFont.Width - 1 - gx) & 1) != 0)
                        Fill(penX + gx * scale, y + (gy + 1) * scale, penX + (gx + 1) * scale - 1, y + (gy + 2) * scale - 1, colour);
                }
                penX += (BitmapFont.Width + 1) * scale;
            }
        }
    }
}

/// <summary>A 3×5 pixel font with just the characters a score label needs.</summary>
internal static class BitmapFont
{
    public const int Width = 3, Height = 5;

    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [0b111, 0b101, 0b101, 0b101, 0b111],
        ['1'] = [0b010, 0b110, 0b010, 0b010, 0b111],
        ['2'] = [0b111, 0b001, 0b111, 0b100, 0b111],
        ['3'] = [0b111, 0b001, 0b111, 0b001, 0b111],
        ['4'] = [0b101, 0b101, 0b111, 0b001, 0b001],
        ['5'] = [0b111, 0b100, 0b111, 0b001, 0b111],
        ['6'] = [0b111, 0b100, 0b111, 0b101, 0b111],
        ['7'] = [0b111, 0b001, 0b010, 0b010, 0b010],
        ['8'] = [0b111, 0b101, 0b111, 0b101, 0b111],
        ['9'] = [0b111, 0b101, 0b111, 0b001, 0b111],
        ['.'] = [0b000, 0b000, 0b000, 0b000, 0b010],
    };

    private static readonly byte[] Unknown = [0b111, 0b111, 0b111, 0b111, 0b111];

    public static byte[] Glyph(char c) => Glyphs.GetValueOrDefault(c, Unknown);
}
