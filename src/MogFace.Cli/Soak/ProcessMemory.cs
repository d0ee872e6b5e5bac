namespace MogFace.Cli.Soak;

/// <summary>Resident memory of another process, from Linux's /proc/&lt;pid&gt;/status (null where there is none).</summary>
internal static class ProcessMemory
{
    public static long? RssKb(int pid) => Field(pid, "VmRSS:");

    /// <summary>The peak resident set since the process started (VmHWM).</summary>
    public static long? PeakKb(int pid) => Field(pid, "VmHWM:");

    private static long? Field(int pid, string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                    return long.Parse(line[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
