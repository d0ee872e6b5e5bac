using System.CommandLine;
using MogFace.Cli.Bench;
using MogFace.Engine.Imaging;

namespace MogFace.Cli.Commands;

/// <summary><c>mogface bench</c>: the benchmark tables of docs/benchmarks.md.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var models = new Option<FileInfo[]>("--model") { Description = "Models to measure (default: YuNet-n and both BlazeFace models; with --json YuNet-n only).", AllowMultipleArgumentsPerToken = true };
        var image = new Option<FileInfo?>("--image") { Description = "Photo scaled to cover --size and centre-cropped (default: tests/images/sample1.jpg)." };
        var size = new Option<string>("--size") { DefaultValueFactory = _ => "1920x1080", Description = "Width x height of the JPEG every iteration decodes (quality 90), e.g. 6000x6000 for the scaled-decode ratio." };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 200, Description = "Measured iterations per model." };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "A JSON array, one object per model, with allocations, GC and the OpenCV peer (when python3-opencv is installed)." };
        var command = new Command("bench", "Stage timings of one JPEG detect (1920×1080 unless --size) vs a bare InferenceSession.Run (markdown table, or --json).")
        {
            models, image, size, iterations, warmup, json,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var photo = parse.GetValue(image)?.FullName ?? Path.Combine(RepositoryRoot(), "tests", "images", "sample1.jpg");
            if (!File.Exists(photo))
                throw new CliException($"Benchmark photo not found: {photo}");
            var (n, warm, asJson) = (parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(json));
            if (n <= 0 || warm < 0)
                throw new CliException("--iterations must be positive and --warmup not negative.");
            var (width, height) = ParseSize(parse.GetValue(size)!);
            var jpeg = EngineBenchmark.SizedJpeg(photo, width, height);
            var files = parse.GetValue(models) is { Length: > 0 } given
                ? given
                : asJson ? [new FileInfo(ModelLocator.Resolve(null))] : DefaultModels();
            var rows = new List<EngineBenchmark.Row>();
            var reports = new List<ModelBenchReport>();
            foreach (var file in files)
            {
                using var model = await ModelLocator.LoadAsync(file, cancellationToken: ct);
                await Console.Error.WriteLineAsync($"bench: {model.Version} ({model.Provider}), {n} iterations");
                var row = EngineBenchmark.Run(model, jpeg, n, warm, ct);
                rows.Add(row);
                if (asJson)
                    reports.Add(ModelBenchReport.From(row, await OpenCvPeer.RunAsync(jpeg, PeerInput.For(model, row.Width, row.Height), n, warm, ct)));
            }
            if (asJson)
            {
                Console.Out.WriteLine(BenchJson.Serialize(reports));
                return 0;
            }
            Console.Out.WriteLine($"Input: {width}×{height} JPEG ({jpeg.Length / 1024} KiB) cropped from {Path.GetFileName(photo)}; {Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
            Console.Out.WriteLine();
            Console.Out.Write(EngineBenchmark.Markdown(rows));
            return 0;
        }));
        return command;
    }

    /// <summary>"WIDTHxHEIGHT": each side 16 to 8192 px, within the service's pixel limit.</summary>
    internal static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.Split('x', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], out var width) && int.TryParse(parts[1], out var height)
            && width is >= 16 and <= 8192 && height is >= 16 and <= 8192 && (long)width * height <= ImageLimits.Default.MaxPixels)
            return (width, height);
        throw new CliException($"--size: expected WIDTHxHEIGHT, each side 16 to 8192 px and at most {ImageLimits.Default.MaxPixels:N0} pixels in all (got '{text}').");
    }

    /// <summary>The default model and the two BlazeFace models beside it (those that are present).</summary>
    private static FileInfo[] DefaultModels()
    {
        var models = Path.Combine(RepositoryRoot(), "models");
        return new[] { ModelLocator.Resolve(null), Path.Combine(models, "blazeface", "blazeface-back.onnx"), Path.Combine(models, "blazeface", "blazeface-front.onnx") }
            .Where(File.Exists).Select(p => new FileInfo(p)).ToArray();
    }

    private static string RepositoryRoot()
    {
        var model = ModelLocator.Resolve(null);
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(model)!, "..", ".."));
    }
}
