using System.Collections.Concurrent;

namespace MogFace.Tests.Shared;

/// <summary>
/// Hostile BlazeFace-shaped models built by tests/fixtures/adversarial/make_adversarial_model.py (the variants
/// are described there), once per test run and kept in memory.
/// </summary>
public static class AdversarialModels
{
    /// <summary>Declares input [1,30000,30000,3]: 2.7e9 floats, more than an int can count.</summary>
    public const string HugeInput = "huge-input";

    /// <summary>BlazeFace's signature; every run loops 4e9 times (hours): what only a time limit or a cancellation stops.</summary>
    public const string HugeLoop = "huge-loop";

    /// <summary>The front model with its first initializer's bytes in package.json (external data).</summary>
    public const string ExternalData = "external-data";

    /// <summary>huge-loop whose Loop body's constant is external data: an external tensor inside a subgraph.</summary>
    public const string ExternalInLoop = "external-in-loop";

    /// <summary>Ignores its input and finds the probe photo's face everywhere.</summary>
    public const string AlwaysFace = "always-face";

    /// <summary>Finite on ordinary images; NaN boxes with high scores on an all-white image.</summary>
    public const string NanOnBright = "nan-on-bright";

    /// <summary>The real front model, except that it throws (ONNX Runtime Gather out of bounds) on an image whose top-left 8x8 pixels are pure green.</summary>
    public const string FailsOnGreenCorner = "fails-on-green-corner";

    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Built = new();

    public static byte[] Get(string variant) => Built.GetOrAdd(variant, v => new Lazy<byte[]>(() => Build(v))).Value;

    private static byte[] Build(string variant)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mogface-adversarial-{Guid.NewGuid():N}.onnx");
        try
        {
            var (code, output) = PythonScript.Run(
                Path.Combine(RepoPaths.Root, "tests", "fixtures", "adversarial", "make_adversarial_model.py"), variant, "--out", path,
                "--front", RepoPaths.BlazeFaceFront,
                "--probe", Path.Combine(RepoPaths.Root, "src", "MogFace.Registry", "Ingestion", "Gates", "probe.jpg"));
            if (code != 0 || !File.Exists(path))
                throw new InvalidOperationException(
                    $"make_adversarial_model.py {variant} failed (exit {code}); it needs {PythonScript.Python} with python3-onnx, numpy and opencv: {output}");
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
