using System.Diagnostics;

namespace MogFace.Tests.Shared;

/// <summary>Stops a child process as an orchestrator would: SIGTERM first (it saves state, stops its own children), a kill after a grace period.</summary>
public static class ChildProcess
{
    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (!await TerminateAsync(process, grace))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    /// <summary>Sends SIGTERM (a kill where there is none); true when the process has exited within <paramref name="grace"/>.</summary>
    public static async Task<bool> TerminateAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
            return true;
        if (OperatingSystem.IsWindows() || Kill(process.Id, SigTerm) != 0)
            process.Kill(entireProcessTree: true);
        try
        {
            await process.WaitForExitAsync().WaitAsync(grace);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
