using System.Diagnostics;
using System.Text;

namespace MogFace.Tests.Shared;

/// <summary>Stops a child process as an orchestrator would: SIGTERM first (it saves state, stops its own children), a kill after a grace period.</summary>
public static class ChildProcess
{
    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// Starts <paramref name="process"/> with both output streams drained into <paramref name="log"/> all along (a full
    /// pipe would block the child's logging, and with it its start and its shutdown). The task completes when a line
    /// containing <paramref name="readyLine"/> has been written.
    /// </summary>
    public static Task StartLogged(Process process, StringBuilder log, string readyLine)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object _, DataReceivedEventArgs line)
        {
            if (line.Data is null)
                return;
            lock (log)
                log.AppendLine(line.Data);
            if (line.Data.Contains(readyLine, StringComparison.Ordinal))
                ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        if (!process.Start())
            throw new InvalidOperationException($"{process.StartInfo.FileName} did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return ready.Task;
    }

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
