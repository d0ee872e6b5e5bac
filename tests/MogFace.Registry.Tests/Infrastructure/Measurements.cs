using System.Text.Json;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>Numbers the lifecycle tests measure, written under TestResults/ for docs/hot-swap.md.</summary>
internal static class Measurements
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static string Write(string fileName, object value)
    {
        var path = Path.Combine(RepoPaths.TestResults, fileName);
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
