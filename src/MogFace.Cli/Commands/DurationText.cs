using System.Globalization;

namespace MogFace.Cli.Commands;

/// <summary>Durations as people type them on a command line: 90s, 2m, 1.5h, or a TimeSpan such as 00:02:00.</summary>
internal static class DurationText
{
    /// <exception cref="CliException">Not a positive duration.</exception>
    public static TimeSpan Parse(string text, string option = "--dwell")
    {
        text = text.Trim();
        TimeSpan? value = text.Length > 1 && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(number),
                'm' => TimeSpan.FromMinutes(number),
                'h' => TimeSpan.FromHours(number),
                _ => null,
            }
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : null;
        return value is { } duration && duration > TimeSpan.Zero
            ? duration
            : throw new CliException($"{option}: '{text}' is not a positive duration (90s, 2m, 1h or 00:02:00).");
    }
}
