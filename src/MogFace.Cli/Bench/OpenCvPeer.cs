using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace MogFace.Cli.Bench;

/// <summary>The peer's p50 milliseconds on the same image and tensor.</summary>
internal sealed record PeerTimes(double DecodeMs, double PreprocessMs);

/// <summary>
/// Runs opencv_peer.py (copied beside the CLI) with Debian's /usr/bin/python3: OpenCV's single-threaded decode and
/// resize + normalise of the benchmark's JPEG into the model's tensor, in the same run as the C# measurement.
/// </summary>
internal static class OpenCvPeer
{
    public const string Python = "/usr/bin/python3";
    private const int Unavailable = 3; // the script's exit code when cv2 or numpy is missing

    public static string Script => Path.Combine(AppContext.BaseDirectory, "Bench", "opencv_peer.py");

    /// <summary>The peer's timings, or null (with the reason on stderr) when Python or OpenCV is not installed.</summary>
    public static async Task<PeerTimes?> RunAsync(byte[] jpeg, PeerInput input, int iterations, int warmup, CancellationToken cancellationToken)
    {
        if (!File.Exists(Python) || !File.Exists(Script))
        {
            await Console.Error.WriteLineAsync($"bench: no OpenCV peer ({Python} or {Script} missing)");
            return null;
        }
        var image = Path.Combine(Path.GetTempPath(), $"mogface-bench-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(image, jpeg, cancellationToken);
        try
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Script);
            start.ArgumentList.Add(image);
            foreach (var argument in input.Arguments())
                start.ArgumentList.Add(argument);
            start.ArgumentList.Add("--iterations");
            start.ArgumentList.Add(iterations.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add("--warmup");
            start.ArgumentList.Add(warmup.ToString(CultureInfo.InvariantCulture));
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            if (process.ExitCode == Unavailable)
            {
                await Console.Error.WriteLineAsync($"bench: no OpenCV peer ({(await stderr).Trim()})");
                return null;
            }
            if (process.ExitCode != 0)
                throw new CliException($"The OpenCV peer failed (exit {process.ExitCode}): {(await stderr).Trim()}");
            using var result = JsonDocument.Parse(await stdout);
            return new PeerTimes(result.RootElement.GetProperty("decode_ms").GetDouble(), result.RootElement.GetProperty("preprocess_ms").GetDouble());
        }
        finally
        {
            File.Delete(image);
        }
    }
}
