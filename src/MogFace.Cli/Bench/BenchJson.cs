using System.Text.Json;
using MogFace.Engine.Detection;
using MogFace.Engine.Imaging;
using System.Text.Json.Serialization;

namespace MogFace.Cli.Bench;

/// <summary>The machine-readable output of <c>mogface bench --json</c> and <c>mogface bench http --json</c>: snake_case, milliseconds.</summary>
internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static string Serialize<T>(IReadOnlyList<T> rows) => JsonSerializer.Serialize(rows, Options);

    /// <summary>Milliseconds to the microsecond: more digits are noise.</summary>
    public static double Ms(double value) => Math.Round(value, 3);

    /// <summary>Each stage's milliseconds to the microsecond.</summary>
    public static StageTimings? Ms(StageTimings? stages) => stages is null ? null
        : new StageTimings(Ms(stages.Decode), Ms(stages.Preprocess), Ms(stages.Inference), Ms(stages.Postprocess), Ms(stages.Total));
}

internal sealed record ImageSize(int Width, int Height);

/// <summary>One model of <c>mogface bench --json</c>: p50 of each stage, the p99 total, and the managed memory a request costs.</summary>
internal sealed record ModelBenchReport(string Model, string Provider, string JpegDecoder, ImageSize Image, int Iterations,
    double DecodeMs, double PreprocessMs, double InferenceMs, double PostprocessMs, double TotalMs, double RawRunMs,
    double P99TotalMs, long AllocBytesPerRequest, int Gen2Collections, PeerTimes? Peer)
{
    public static ModelBenchReport From(EngineBenchmark.Row row, PeerTimes? peer) => new(
        row.Model, row.Provider, ImageIntake.JpegDecoder, new ImageSize(row.Width, row.Height), row.Total.Count,
        BenchJson.Ms(row.Decode.P50), BenchJson.Ms(row.Preprocess.P50), BenchJson.Ms(row.Inference.P50), BenchJson.Ms(row.Postprocess.P50),
        BenchJson.Ms(row.Total.P50), BenchJson.Ms(row.RawRun.P50), BenchJson.Ms(row.Total.P99), row.AllocatedBytesPerRequest, row.Gen2Collections,
        peer is null ? null : new PeerTimes(BenchJson.Ms(peer.DecodeMs), BenchJson.Ms(peer.PreprocessMs)));
}

/// <summary>
/// One concurrency level of <c>mogface bench http --json</c>. <c>http_server_p50_ms</c> is the p50 of the server's
/// own <c>timingsMs.total</c> (decode → faces) in those responses: the rest of <c>http_p50_ms</c> is the transport, the
/// host and the JSON. The CPU fields are milliseconds of CPU per request: the engine's process in-process, the server's
/// and the client's over HTTP (<c>http_server_cpu_ms</c> absent when the server has no <c>/metrics</c>).
/// <c>inproc_stages_ms</c> and <c>http_server_stages_ms</c> are the p50 of each stage of decode → faces on each side
/// (the server's from its <c>timingsMs</c>; absent when its responses carry none), to say where the server's own time differs.
/// <c>inproc_with_probe</c> (with <c>--probe</c> only) is the in-process engine again while the probe was posted at the
/// HTTP side's rate: the same engine with the HTTP traffic on the cores.
/// </summary>
internal sealed record HttpBenchLevel(int Concurrency, double HttpP50Ms, double HttpP99Ms, double HttpRps, double HttpServerP50Ms,
    double InprocP50Ms, double InprocP99Ms, double InprocRps, double InprocCpuMs, double? HttpServerCpuMs, double HttpClientCpuMs,
    StageTimings? InprocStagesMs, StageTimings? HttpServerStagesMs, ProbedEngine? InprocWithProbe);

/// <summary>
/// The in-process engine measured while the probe was answered <c>probe_rps</c> times a second (round-trip p50
/// <c>probe_p50_ms</c>): its p50, throughput and stage p50s.
/// </summary>
internal sealed record ProbedEngine(double P50Ms, double Rps, double ProbeRps, double ProbeP50Ms, StageTimings? StagesMs);
