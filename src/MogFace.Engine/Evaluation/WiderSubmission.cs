using System.Globalization;
using MogFace.Engine.Detection;

namespace MogFace.Engine.Evaluation;

/// <summary>
/// Writes detections in the WIDER FACE submission format: <c>&lt;event&gt;/&lt;image&gt;.txt</c> holding the image
/// name, the count, then <c>x y w h score</c> per face.
/// </summary>
public static class WiderSubmission
{
    public static async Task WriteAsync(string outDir, string relativeImagePath, IReadOnlyList<Face> faces, CancellationToken cancellationToken = default)
    {
        var relative = relativeImagePath.Replace('\\', '/');
        var name = Path.GetFileNameWithoutExtension(relative);
        var folder = Path.GetDirectoryName(relative) ?? "";
        var dir = Path.Combine(outDir, folder);
        Directory.CreateDirectory(dir);
        var lines = new List<string> { name, faces.Count.ToString(CultureInfo.InvariantCulture) };
        lines.AddRange(faces.Select(f => string.Create(CultureInfo.InvariantCulture,
            $"{f.Box[0]:0.###} {f.Box[1]:0.###} {f.Width:0.###} {f.Height:0.###} {f.Score:0.######}")));
        await File.WriteAllLinesAsync(Path.Combine(dir, name + ".txt"), lines, cancellationToken);
    }
}
