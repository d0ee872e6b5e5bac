using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MogFace.Cli.Soak;
using MogFace.Engine.Json;

namespace MogFace.Cli.Commands;

/// <summary>
/// <c>mogface bench soak --url … --pid … --versions a,b</c>: issue 12's soak against a running service — a quiet
/// baseline, then good clients beside abusive ones and model swaps, with the server's RSS sampled — as a markdown
/// summary or (<c>--json</c>) the raw report. scripts/soak.sh starts Azurite and a server and runs it.
/// </summary>
internal static class SoakCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = $"Service base URL (default: $MOGFACE_URL, else {ModelsCommand.DefaultUrl})." };
        var key = new Option<string?>("--key") { Description = "Function key (default: $MOGFACE_FUNCTION_KEY)." };
        var adminKey = new Option<string?>("--admin-key") { Description = "Admin key for the swaps (default: $MOGFACE_ADMIN_KEY)." };
        var pid = new Option<int>("--pid") { Required = true, Description = "The server's process id (its RSS is sampled from /proc)." };
        var versions = new Option<string>("--versions") { Required = true, Description = "Registered versions the swaps activate in turn (comma-separated, at least two)." };
        var image = new Option<FileInfo>("--image") { DefaultValueFactory = _ => new FileInfo("tests/images/grace_hopper_512x512.jpg"), Description = "What the measured normal client sends." };
        var largeImage = new Option<FileInfo>("--large-image") { DefaultValueFactory = _ => new FileInfo("tests/images/sample1.jpg"), Description = "What the other good clients send." };
        var duration = new Option<string>("--duration") { DefaultValueFactory = _ => "10m", Description = "The whole run, baseline included." };
        var baseline = new Option<string>("--baseline") { DefaultValueFactory = _ => "1m", Description = "The good clients alone, first." };
        var warmup = new Option<string>("--warmup") { DefaultValueFactory = _ => "1m", Description = "How far into the abuse phase \"RSS after warm-up\" is read." };
        var clients = new Option<int>("--clients") { DefaultValueFactory = _ => 8, Description = "Clients in the abuse phase: a third good (the normal one included), the rest abusive." };
        var swaps = new Option<int>("--swaps") { DefaultValueFactory = _ => 6, Description = "Activations spread over the abuse phase." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("soak", "Good and abusive clients with model swaps against a running service; RSS and the normal client's p50.")
        {
            url, key, adminKey, pid, versions, image, largeImage, duration, baseline, warmup, clients, swaps, json,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var swapVersions = parse.GetValue(versions)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (swapVersions.Length < 2)
                throw new CliException("--versions: give at least two registered versions to swap between.");
            var settings = new SoakSettings(
                Photo: await ReadAsync(parse.GetValue(image)!, "--image", ct),
                LargePhoto: await ReadAsync(parse.GetValue(largeImage)!, "--large-image", ct),
                FunctionKey: parse.GetValue(key) ?? Environment.GetEnvironmentVariable("MOGFACE_FUNCTION_KEY") ?? "",
                AdminKey: parse.GetValue(adminKey) ?? Environment.GetEnvironmentVariable("MOGFACE_ADMIN_KEY") ?? "",
                ServerPid: parse.GetValue(pid),
                SwapVersions: swapVersions,
                Duration: DurationText.Parse(parse.GetValue(duration)!, "--duration"),
                Baseline: DurationText.Parse(parse.GetValue(baseline)!, "--baseline"),
                Warmup: DurationText.Parse(parse.GetValue(warmup)!, "--warmup"),
                Clients: Math.Max(2, parse.GetValue(clients)),
                Swaps: Math.Max(0, parse.GetValue(swaps)));
            if (settings.Baseline + settings.Warmup >= settings.Duration)
                throw new CliException("--duration must be longer than --baseline plus --warmup.");
            if (ProcessMemory.RssKb(settings.ServerPid) is null)
                throw new CliException($"--pid: no process {settings.ServerPid} to sample (/proc/{settings.ServerPid}/status).");

            var baseUrl = parse.GetValue(url) ?? (Environment.GetEnvironmentVariable("MOGFACE_URL") is { Length: > 0 } u ? u : ModelsCommand.DefaultUrl);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients + 2 };
            using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };
            await Console.Error.WriteLineAsync($"soak: {settings.Duration} against {baseUrl} (pid {settings.ServerPid}), baseline {settings.Baseline}, {settings.Clients} clients, {settings.Swaps} swaps");
            var report = await new SoakRun(http, settings).RunAsync(ct);
            Console.Out.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(report, MogFaceJson.Indented) : Markdown(report));
            return report.GoodFailures == 0 && report.UnexpectedCount == 0 ? 0 : 1;
        }));
        return command;
    }

    private static async Task<byte[]> ReadAsync(FileInfo file, string option, CancellationToken ct) =>
        file.Exists ? await File.ReadAllBytesAsync(file.FullName, ct) : throw new CliException($"{option}: not found: {file.FullName}");

    private static string Markdown(SoakReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Format(inv, "{0:0} s, {1} clients, {2} swaps: {3} good requests, {4} failed; {5} unexpected answers to abusive ones.",
                r.DurationSeconds, r.Clients, r.Swaps, r.GoodRequests, r.GoodFailures, r.UnexpectedCount),
            "",
            "| normal client p50, alone | during abuse | ratio | RSS after warm-up | RSS at the end | end / warm-up | peak RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            string.Format(inv, "| {0:0.0} ms ({1} requests) | {2:0.0} ms ({3} requests) | {4:0.00}× | {5:0} MiB | {6:0} MiB | {7:0.00} | {8:0} MiB |",
                r.NormalP50BaselineMs, r.NormalRequestsBaseline, r.NormalP50AbuseMs, r.NormalRequestsAbuse, r.P50Ratio,
                r.RssAfterWarmupKb / 1024.0, r.RssEndKb / 1024.0, r.RssEndOverWarmup, r.RssPeakKb / 1024.0),
            "",
            "| abusive request → answer | count |",
            "|---|---:|",
        };
        lines.AddRange(r.AbusiveOutcomes.Select(o => $"| {o.Key} | {o.Value} |"));
        lines.AddRange(r.Unexpected.Select(u => $"unexpected: {u}"));
        return string.Join(Environment.NewLine, lines);
    }
}
