using MogFace.Engine.Statistics;
using System.Text.Json;
using MogFace.Tests.Shared;

namespace MogFace.Registry.Tests.Infrastructure;

/// <summary>Numbers the lifecycle tests measure, written under TestResults/ for docs/hot-swap.md.</summary>
internal static class Measurements
{
    public static double Percentile(IReadOnlyList<double> values, double p) => NearestRank.Percentile(values, p / 100);

    public static string Write(string fileName, object value)
    {
        var path = Path.Combine(RepoPaths.TestResults, fileName);
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
