using System.Globalization;

namespace MogFace.Engine.Evaluation;

/// <summary>One labelled face of WIDER FACE: box in pixels (x, y, w, h) and the invalid flag.</summary>
public sealed record GroundTruthFace(float X, float Y, float W, float H, bool Invalid)
{
    public float[] Box => [X, Y, X + W, Y + H];
}

public sealed record AnnotatedImage(string RelativePath, IReadOnlyList<GroundTruthFace> Faces);

/// <summary>
/// Reads <c>wider_face_val_bbx_gt.txt</c>: a path line, a count line, then one line per face
/// <c>x y w h blur expression illumination invalid occlusion pose</c>. An image with 0 faces still has
/// one (all-zero) face line, which is skipped.
/// </summary>
public static class WiderAnnotations
{
    public static IReadOnlyList<AnnotatedImage> Parse(TextReader reader)
    {
        var images = new List<AnnotatedImage>();
        var lineNumber = 0;
        string? Next()
        {
            string? line;
            do
            {
                line = reader.ReadLine();
                lineNumber++;
            } while (line is not null && line.Trim().Length == 0);
            return line?.Trim();
        }
        while (Next() is { } path)
        {
            var countLine = Next() ?? throw Error(lineNumber, $"missing face count after '{path}'");
            if (!int.TryParse(countLine, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw Error(lineNumber, $"expected a face count, found '{countLine}'");
            var faces = new List<GroundTruthFace>(count);
            for (var i = 0; i < Math.Max(count, 1); i++)
            {
                var line = Next() ?? throw Error(lineNumber, $"'{path}' declares {count} faces but the file ends");
                if (count == 0)
                    break; // the placeholder line of an empty image
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 4)
                    throw Error(lineNumber, $"expected 'x y w h …', found '{line}'");
                float F(int k) => float.Parse(parts[k], CultureInfo.InvariantCulture);
                var invalid = parts.Length > 7 && parts[7] == "1";
                faces.Add(new GroundTruthFace(F(0), F(1), F(2), F(3), invalid));
            }
            images.Add(new AnnotatedImage(path, faces));
        }
        return images;
    }

    private static FormatException Error(int line, string message) => new($"annotations line {line}: {message}");
}
