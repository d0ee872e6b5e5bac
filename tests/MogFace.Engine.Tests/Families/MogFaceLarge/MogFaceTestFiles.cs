using System.Collections.Concurrent;

namespace MogFace.Engine.Tests.Families.MogFaceLarge;

/// <summary>
/// The repository's own scripts, run by the tests: models/mogface/make_test_model.py (needs Debian's
/// python3-onnx) builds MogFace-format test models into a temp folder; tests/fixtures/mogface/resize_parity.py
/// (needs python3-opencv) regenerates the OpenCV fixture.
/// </summary>
internal static class MogFaceTestFiles
{
    public const string Python = global::MogFace.Tests.Shared.PythonScript.Python;

    private static readonly ConcurrentDictionary<string, Lazy<string>> Models = new();
    private static readonly string TempRoot = Path.Combine(Path.GetTempPath(), $"mogface-tests-{Environment.ProcessId}");

    public static string RepositoryRoot => global::MogFace.Tests.Shared.RepoPaths.Root;

    /// <summary>Path of a generated test model ("random", "bright" or "nan"), built once per test run.</summary>
    public static string Model(string variant = "random") => Models.GetOrAdd(variant, v => new Lazy<string>(() =>
    {
        Directory.CreateDirectory(TempRoot);
        var path = Path.Combine(TempRoot, $"mogface-test-{v}.onnx");
        var (code, output) = RunPython(Path.Combine(RepositoryRoot, "models/mogface/make_test_model.py"), "--variant", v, "--out", path);
        if (code != 0 || !File.Exists(path))
            throw new InvalidOperationException(
                $"make_test_model.py failed (exit {code}); the MogFace tests need {Python} with python3-onnx and python3-numpy: {output}");
        return path;
    })).Value;

    /// <summary>Runs a script with /usr/bin/python3; (exit code, stdout + stderr). Exit code -1 when Python is missing.</summary>
    public static (int ExitCode, string Output) RunPython(params string[] arguments) => global::MogFace.Tests.Shared.PythonScript.Run(arguments);
}
