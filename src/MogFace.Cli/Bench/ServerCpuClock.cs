using System.Globalization;

namespace MogFace.Cli.Bench;

/// <summary>
/// The CPU time a standalone server's process has used, read from its Prometheus text at <c>/metrics</c> (the
/// runtime's <c>dotnet.process.cpu.time</c>, user + system). <c>mogface bench http</c> reads it around each HTTP block,
/// so the CPU a request costs the server can be set beside what it costs the engine in-process. A host without that
/// endpoint (the Functions host) gives null once, and is not asked again.
/// </summary>
internal sealed class ServerCpuClock(HttpClient http)
{
    /// <summary>The counter as the OpenTelemetry Prometheus exporter names it; one line per <c>cpu_mode</c>.</summary>
    internal const string MetricName = "dotnet_process_cpu_time_seconds_total";

    private bool _unavailable;

    /// <summary>Seconds of CPU the server's process has used since it started; null when the server does not say.</summary>
    public async Task<double?> ReadSecondsAsync(CancellationToken cancellationToken)
    {
        if (_unavailable)
            return null;
        try
        {
            using var response = await http.GetAsync("metrics", cancellationToken);
            var seconds = response.IsSuccessStatusCode ? Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
            _unavailable = seconds is null;
            return seconds;
        }
        catch (HttpRequestException)
        {
            _unavailable = true;
            return null;
        }
    }

    /// <summary>The sum of the counter's samples (user and system), or null when the text has none.</summary>
    internal static double? Parse(string prometheusText)
    {
        double? total = null;
        foreach (var line in prometheusText.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(MetricName) || line.Length == MetricName.Length || line[MetricName.Length] is not ('{' or ' '))
                continue;
            // name{labels} value [timestamp]: the value follows the closing brace (label values may hold spaces).
            var afterLabels = line[MetricName.Length] == '{' ? line[(line.IndexOf('}') + 1)..] : line[MetricName.Length..];
            var fields = afterLabels.Trim();
            var end = fields.IndexOf(' ');
            if (double.TryParse(end < 0 ? fields : fields[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                total = (total ?? 0) + value;
        }
        return total;
    }
}
