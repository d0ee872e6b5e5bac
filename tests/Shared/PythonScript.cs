using System.Diagnostics;

namespace MogFace.Tests.Shared;

/// <summary>Runs the repository's Python helpers with Debian's /usr/bin/python3 (python3-onnx, numpy, opencv).</summary>
public static class PythonScript
{
    public const string Python = "/usr/bin/python3";

    /// <summary>(exit code, stdout + stderr); exit code -1 when Python is missing or the script runs past 2 minutes.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        if (!File.Exists(Python))
            return (-1, $"{Python} not found");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
