namespace MogFace.Engine.Inference;

/// <summary>
/// Whether ONNX Runtime's CUDA provider library was installed with the app. The CPU package
/// (Microsoft.ML.OnnxRuntime) ships only libonnxruntime and the shared-provider stub; the GPU package adds
/// libonnxruntime_providers_cuda beside them. Without that file, asking for CUDA can only fail, and ONNX Runtime
/// logs its own error for it, so <see cref="SessionFactory"/> does not try on a CPU-only install.
/// </summary>
public static class CudaProviderLibrary
{
    private static readonly string[] FileNames = ["libonnxruntime_providers_cuda.so", "onnxruntime_providers_cuda.dll"];

    private static readonly Lazy<bool> InstalledWithApp = new(() => IsInstalledUnder(AppContext.BaseDirectory));

    /// <summary>Looked for once per process: the app's files do not change while it runs.</summary>
    public static bool IsInstalled => InstalledWithApp.Value;

    /// <summary>
    /// Looks where .NET resolves the native runtime from: the app folder itself (a RID-specific publish) and
    /// runtimes/&lt;rid&gt;/native (a portable build), the folder ONNX Runtime loads its providers from.
    /// </summary>
    public static bool IsInstalledUnder(string appDirectory)
    {
        var folders = new List<string> { appDirectory };
        var runtimes = Path.Combine(appDirectory, "runtimes");
        if (Directory.Exists(runtimes))
            folders.AddRange(Directory.EnumerateDirectories(runtimes).Select(rid => Path.Combine(rid, "native")));
        return folders.Any(folder => FileNames.Any(name => File.Exists(Path.Combine(folder, name))));
    }
}
