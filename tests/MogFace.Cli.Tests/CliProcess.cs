using System.Diagnostics;
using MogFace.Tests.Shared;

namespace MogFace.Cli.Tests;

/// <summary>Runs the real <c>mogface</c> binary (copied next to the tests) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = MogFace.Tests.Shared.RepoPaths.Root,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mogface.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("MOGFACE_MODEL");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
