using MogFace.Engine.Statistics;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;
using MogFace.Engine.Inference;
using MogFace.Cli.Bench;

namespace MogFace.Cli.Commands;

/// <summary>
/// <c>mogface bench http --url … --image … [--model …] --concurrency 1,2,4 --requests N</c>: latency (p50/p99)
/// and throughput of <c>POST /api/detect</c> against the in-process engine on the same image and model
/// (decode + detect per call on both sides), printed as a markdown table with the HTTP/in-process ratios.
/// </summary>
internal static class HttpBenchCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = $"Service base URL (default: $MOGFACE_URL, else {ModelsCommand.DefaultUrl})." };
        var key = new Option<string?>("--key") { Description = "Function key (default: $MOGFACE_FUNCTION_KEY)." };
        var image = new Option<FileInfo>("--image") { Required = true, Description = "The image every request sends." };
        var model = new Option<FileInfo?>("--model") { Description = "Model for the in-process runs: the one the service serves (default: models/blazeface/blazeface-back.onnx)." };
        var concurrency = new Option<string>("--concurrency") { DefaultValueFactory = _ => "1,2,4,8", Description = "Comma-separated client counts." };
        var requests = new Option<int>("--requests") { DefaultValueFactory = _ => 200, Description = "Measured requests per concurrency level." };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 20, Description = "Unmeasured requests before each level." };
        var rounds = new Option<int?>("--rounds")
        {
            Description = "Blocks each side's requests are split into, in-process and HTTP alternating, so that both see the machine at the same moments (default: 10, at most --requests).",
        };
        var probe = new Option<FileInfo?>("--probe")
        {
            Description = "A transport probe (scripts/make-probe-jpeg.py): adds a third side, the in-process engine while the probe is posted at the HTTP side's rate, so the cores also carry the HTTP traffic; its throughput is the ceiling HTTP can reach on this machine.",
        };
        var json = new Option<bool>("--json") { Description = "A JSON array, one object per concurrency level." };
        var command = new Command("http", "HTTP detect latency and throughput vs the in-process engine (markdown table, or --json).")
        {
            url, key, image, model, concurrency, requests, warmup, rounds, probe, json,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var imageFile = parse.GetValue(image)!;
            if (!imageFile.Exists)
                throw new CliException($"Image not found: {imageFile.FullName}");
            var levels = ParseLevels(parse.GetValue(concurrency)!);
            var n = parse.GetValue(requests);
            var warm = parse.GetValue(warmup);
            if (n <= 0)
                throw new CliException("--requests must be positive.");
            var blocks = parse.GetValue(rounds) ?? Math.Min(10, n);
            if (blocks <= 0 || blocks > n)
                throw new CliException($"--rounds must be between 1 and --requests ({n}).");
            var probeFile = parse.GetValue(probe);
            if (probeFile is { Exists: false })
                throw new CliException($"Probe image not found: {probeFile.FullName}");
            // Each in-process call holds a pool thread for its whole detect. At 4 or 8 clients that is more threads than
            // the pool keeps ready, and the probe's continuations, queued behind them, waited for it to grow (a second
            // or so a thread): the probe's rate fell to a sixth. Ready threads for every client and every core avoid that.
            ThreadPool.GetMinThreads(out var minWorkers, out var minCompletionPorts);
            ThreadPool.SetMinThreads(Math.Max(minWorkers, levels.Max() + Environment.ProcessorCount), minCompletionPorts);
            var bytes = await File.ReadAllBytesAsync(imageFile.FullName, ct);
            var mediaType = MediaTypeOf(imageFile.Extension);
            (byte[] Bytes, string MediaType)? probeBody = probeFile is null ? null : (await File.ReadAllBytesAsync(probeFile.FullName, ct), MediaTypeOf(probeFile.Extension));
            var baseUrl = parse.GetValue(url) ?? (Environment.GetEnvironmentVariable("MOGFACE_URL") is { Length: > 0 } u ? u : ModelsCommand.DefaultUrl);
            var functionKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("MOGFACE_FUNCTION_KEY");

            // Threads sized as a server with the default limiter sizes its sessions (one run per core), so that both
            // sides split the cores the same way at every concurrency.
            using var faceModel = await ModelLocator.LoadAsync(parse.GetValue(model), concurrentRuns: Environment.ProcessorCount, cancellationToken: ct);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = levels.Max(), PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };

            string? servedVersion = null;
            async Task<StageTimings?> Post(byte[] body, string type, CancellationToken token)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(type);
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/detect") { Content = content };
                if (!string.IsNullOrEmpty(functionKey))
                    request.Headers.Add("x-functions-key", functionKey);
                using var response = await http.SendAsync(request, token);
                if (!response.IsSuccessStatusCode)
                    throw new CliException($"POST api/detect: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
                servedVersion ??= response.Headers.TryGetValues("X-Model-Version", out var v) ? v.FirstOrDefault() : null;
                using var answer = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(token));
                return answer.RootElement.TryGetProperty("timingsMs", out var timings) ? ServerStages(timings) : null;
            }
            Task<StageTimings?> Http() => Post(bytes, mediaType, ct);
            // As the server decodes a detect request: at the DCT scale the model samples.
            var sampling = faceModel.Sampling(DetectionOptions.Default);
            StageTimings? InProcess()
            {
                var clock = new StageClock();
                var start = StageClock.Now();
                using var decoded = ImageIntake.DecodeForDetection(bytes, ImageLimits.Default, sampling);
                clock.Decode = StageClock.Since(start);
                faceModel.Detect(decoded, DetectionOptions.Default, "bench", clock);
                return clock.Finish();
            }

            // The server admits one detection per core (its limiter's default) and queues the rest; so does this side,
            // or at 4 and 8 clients it would time-slice more runs than there are cores.
            using var admission = new SemaphoreSlim(InferenceThreads.ConcurrentRuns(0));
            async Task<StageTimings?> InProcessAdmitted()
            {
                await admission.WaitAsync(ct);
                try
                {
                    return await Task.Run(InProcess, ct);
                }
                finally
                {
                    admission.Release();
                }
            }

            var serverCpu = new ServerCpuClock(http);
            var rows = new List<(int Level, Stats Engine, Stats Http, Stats? Probed)>();
            foreach (var level in levels)
            {
                Func<double, ProbeLoad>? probing = probeBody is { } p
                    ? rate => ProbeLoad.Start(token => Post(p.Bytes, p.MediaType, token), rate, ct)
                    : null;
                var (engine, overHttp, probed) = await MeasureAsync(level, n, warm, blocks, InProcessAdmitted, Http,
                    () => serverCpu.ReadSecondsAsync(ct), probing, ct);
                rows.Add((level, engine, overHttp, probed));
                await Console.Error.WriteLineAsync($"concurrency {level}: engine p50 {engine.P50:0.00} ms, http p50 {overHttp.P50:0.00} ms (server's own total {overHttp.Own?.Total ?? 0:0.00} ms)");
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(BenchJson.Serialize(rows.Select(r => new HttpBenchLevel(r.Level,
                    BenchJson.Ms(r.Http.P50), BenchJson.Ms(r.Http.P99), Math.Round(r.Http.Throughput, 2), BenchJson.Ms(r.Http.Own?.Total ?? 0),
                    BenchJson.Ms(r.Engine.P50), BenchJson.Ms(r.Engine.P99), Math.Round(r.Engine.Throughput, 2),
                    BenchJson.Ms(r.Engine.CpuMs), r.Http.ServerCpuMs is { } server ? BenchJson.Ms(server) : null, BenchJson.Ms(r.Http.CpuMs),
                    BenchJson.Ms(r.Engine.Own), BenchJson.Ms(r.Http.Own),
                    r.Probed is { } probed ? new ProbedEngine(BenchJson.Ms(probed.P50), Math.Round(probed.Throughput, 2),
                        Math.Round(probed.ProbeRps ?? 0, 2), BenchJson.Ms(probed.ProbeP50 ?? 0), BenchJson.Ms(probed.Own)) : null)).ToList()));
                return 0;
            }
            var inv = CultureInfo.InvariantCulture;
            Console.Out.WriteLine($"Image `{imageFile.Name}` ({bytes.Length / 1024} KiB), model `{faceModel.Version}` in-process ({faceModel.Provider}), service `{servedVersion}` at {baseUrl}; {n} measured requests per row after {warm} warm-up, in {blocks} alternating blocks a side; {Environment.ProcessorCount} cores.");
            Console.Out.WriteLine();
            Console.Out.WriteLine("| concurrency | in-process p50 ms | in-process p99 ms | in-process req/s | HTTP p50 ms | HTTP p99 ms | HTTP req/s | server's own p50 ms | p50 ratio (HTTP/in-process) | throughput ratio (HTTP/in-process) | CPU ms/req in-process | CPU ms/req server | CPU ms/req client |");
            Console.Out.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (level, engine, overHttp, _) in rows)
            {
                Console.Out.WriteLine(string.Format(inv,
                    "| {0} | {1:0.00} | {2:0.00} | {3:0.0} | {4:0.00} | {5:0.00} | {6:0.0} | {7:0.00} | {8:0.00}× | {9:0.00}× | {10:0.00} | {11} | {12:0.00} |",
                    level, engine.P50, engine.P99, engine.Throughput, overHttp.P50, overHttp.P99, overHttp.Throughput, overHttp.Own?.Total ?? 0,
                    overHttp.P50 / engine.P50, overHttp.Throughput / engine.Throughput,
                    engine.CpuMs, overHttp.ServerCpuMs is { } server ? server.ToString("0.00", inv) : "–", overHttp.CpuMs));
            }
            // Which stage of decode → faces the server spends its extra time in, if any (p50s, so they need not add up).
            Console.Out.WriteLine();
            Console.Out.WriteLine("| concurrency | decode ms in-process / server | preprocess ms | inference ms | postprocess ms | total ms |");
            Console.Out.WriteLine("|---:|---:|---:|---:|---:|---:|");
            foreach (var (level, engine, overHttp, _) in rows)
            {
                string Pair(Func<StageTimings, double> stage) => string.Format(inv, "{0:0.00} / {1}", stage(engine.Own!),
                    overHttp.Own is { } own ? stage(own).ToString("0.00", inv) : "–");
                Console.Out.WriteLine($"| {level} | {Pair(s => s.Decode)} | {Pair(s => s.Preprocess)} | {Pair(s => s.Inference)} | {Pair(s => s.Postprocess)} | {Pair(s => s.Total)} |");
            }
            if (probeBody is null)
                return 0;
            // The same engine with the HTTP side's traffic on the cores (the probe at its rate): how far HTTP is from it.
            Console.Out.WriteLine();
            Console.Out.WriteLine($"With the probe `{probeFile!.Name}` posted at the HTTP side's rate during a third side's blocks (the in-process engine again):");
            Console.Out.WriteLine();
            Console.Out.WriteLine("| concurrency | probe req/s | probe p50 ms | in-process + probe p50 ms | in-process + probe req/s | HTTP req/s | throughput ratio (HTTP/in-process + probe) | inference ms in-process + probe / server |");
            Console.Out.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (level, _, overHttp, probed) in rows)
                Console.Out.WriteLine(string.Format(inv, "| {0} | {1:0.0} | {2:0.00} | {3:0.00} | {4:0.0} | {5:0.0} | {6:0.00}× | {7:0.00} / {8} |",
                    level, probed!.ProbeRps, probed.ProbeP50, probed.P50, probed.Throughput, overHttp.Throughput, overHttp.Throughput / probed.Throughput,
                    probed.Own!.Inference, overHttp.Own is { } own ? own.Inference.ToString("0.00", inv) : "–"));
            return 0;
        }));
        return command;
    }

    /// <param name="Own">p50 of each stage of decode → faces as the side timed it (the engine's clock in-process, the
    /// server's <c>timingsMs</c> over HTTP); null when no response carried timings.</param>
    /// <param name="CpuMs">CPU this process used per request during the side's blocks (the engine in-process; the client over HTTP).</param>
    /// <param name="ServerCpuMs">CPU the server's process used per request during the HTTP blocks; null when it does not say (<see cref="ServerCpuClock"/>).</param>
    /// <param name="ProbeRps">For the side measured beside the probe: probe requests answered a second during its blocks.</param>
    /// <param name="ProbeP50">For that side: the p50 of those probe requests' round trips.</param>
    internal sealed record Stats(double P50, double P99, double Throughput, StageTimings? Own, double CpuMs, double? ServerCpuMs,
        double? ProbeRps = null, double? ProbeP50 = null);

    /// <summary>A detect response's <c>timingsMs</c>; null when it lacks a stage (a host that reports less).</summary>
    private static StageTimings? ServerStages(JsonElement timings)
    {
        double? Stage(string name) => timings.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        return (Stage("decode"), Stage("preprocess"), Stage("inference"), Stage("postprocess"), Stage("total")) is
            ({ } decode, { } preprocess, { } inference, { } postprocess, { } total)
            ? new StageTimings(decode, preprocess, inference, postprocess, total)
            : null;
    }

    /// <summary>
    /// The sides at one concurrency level, in <paramref name="blocks"/> alternating blocks (in-process, HTTP,
    /// in-process, …): this VM's speed drifts over minutes, and two sides measured one after the other compared
    /// the drift more than the sides. Each side's throughput is its requests over the wall time of its own blocks, and
    /// its CPU cost this process's CPU time over them (plus, for the second, <paramref name="secondServerCpu"/>'s).
    /// With <paramref name="probeAtRate"/>, each block ends with a third side: <paramref name="first"/> again while that
    /// load runs at the rate the second side has reached so far.
    /// </summary>
    internal static async Task<(Stats First, Stats Second, Stats? Probed)> MeasureAsync(int level, int total, int warmup, int blocks,
        Func<Task<StageTimings?>> first, Func<Task<StageTimings?>> second, Func<Task<double?>>? secondServerCpu,
        Func<double, ProbeLoad>? probeAtRate, CancellationToken ct)
    {
        var a = new Samples(total);
        var b = new Samples(total);
        var c = probeAtRate is null ? null : new Samples(total);
        var probeLatencies = new List<double>();
        for (var i = 0; i < warmup; i++)
        {
            await first();
            await second();
        }
        for (var block = 0; block < blocks; block++)
        {
            var count = total / blocks + (block < total % blocks ? 1 : 0);
            await a.RunAsync(level, count, first, serverCpu: null, ct);
            await b.RunAsync(level, count, second, secondServerCpu, ct);
            if (c is null)
                continue;
            var load = probeAtRate!(b.Rate);
            await using (load)
                await c.RunAsync(level, count, first, serverCpu: null, ct);
            probeLatencies.AddRange(load.Latencies());
        }
        return (a.ToStats(), b.ToStats(), c is null ? null
            : c.ToStats() with { ProbeRps = probeLatencies.Count / c.Wall.TotalSeconds, ProbeP50 = probeLatencies.Count == 0 ? 0 : NearestRank.Percentile(probeLatencies, 0.50) });
    }

    /// <summary>One side's latencies, own stage timings, wall time and CPU time, added to block by block.</summary>
    private sealed class Samples(int capacity)
    {
        private readonly double[] _latencies = new double[capacity];
        private readonly StageTimings[] _stages = new StageTimings[capacity];
        private int _count, _stageCount, _serverCpuCount;
        private TimeSpan _wall, _cpu;
        private double _serverCpuSeconds;

        /// <summary>
        /// <paramref name="level"/> workers pull from one counter until <paramref name="count"/> calls are done;
        /// <paramref name="serverCpu"/>, when given, is read before and after, outside this process's CPU reading.
        /// </summary>
        public async Task RunAsync(int level, int count, Func<Task<StageTimings?>> call, Func<Task<double?>>? serverCpu, CancellationToken ct)
        {
            var serverBefore = serverCpu is null ? null : await serverCpu();
            var from = _count;
            var next = -1;
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            var workers = Enumerable.Range(0, level).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    ct.ThrowIfCancellationRequested();
                    var t = Stopwatch.GetTimestamp();
                    var stages = await call();
                    _latencies[from + i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    if (stages is not null)
                        _stages[Interlocked.Increment(ref _stageCount) - 1] = stages;
                }
            }, ct)).ToArray();
            await Task.WhenAll(workers);
            _wall += Stopwatch.GetElapsedTime(started);
            _cpu += Environment.CpuUsage.TotalTime - cpuBefore;
            _count += count;
            if (serverBefore is { } before && await serverCpu!() is { } after)
            {
                _serverCpuSeconds += after - before;
                _serverCpuCount += count;
            }
        }

        /// <summary>Requests a second over the blocks so far.</summary>
        public double Rate => _count / _wall.TotalSeconds;

        public TimeSpan Wall => _wall;

        public Stats ToStats()
        {
            var latencies = _latencies.AsSpan(0, _count);
            latencies.Sort();
            var stages = _stages[.._stageCount];
            double P50(Func<StageTimings, double> stage) => NearestRank.Percentile(stages.Select(stage), 0.50);
            var own = stages.Length == 0 ? null
                : new StageTimings(P50(s => s.Decode), P50(s => s.Preprocess), P50(s => s.Inference), P50(s => s.Postprocess), P50(s => s.Total));
            return new Stats(NearestRank.PercentileOfSorted(latencies, 0.50), NearestRank.PercentileOfSorted(latencies, 0.99),
                _count / _wall.TotalSeconds, own,
                _cpu.TotalMilliseconds / _count, _serverCpuCount == 0 ? null : 1000 * _serverCpuSeconds / _serverCpuCount);
        }
    }

    private static int[] ParseLevels(string text)
    {
        var levels = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var v) && v > 0 ? v : throw new CliException($"--concurrency: not a positive integer: '{s}'"))
            .ToArray();
        return levels.Length > 0 ? levels : throw new CliException("--concurrency: give at least one level.");
    }

    private static string MediaTypeOf(string extension) => extension.ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".bmp" => "image/bmp",
        _ => throw new CliException($"--image: unsupported extension '{extension}' (JPEG, PNG, WebP, BMP)."),
    };
}
