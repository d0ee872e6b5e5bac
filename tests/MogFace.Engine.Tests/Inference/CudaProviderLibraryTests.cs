using Microsoft.Extensions.Logging;
using MogFace.Engine.Inference;
using MogFace.Tests.Shared;

namespace MogFace.Engine.Tests.Inference;

/// <summary>
/// A CPU-only install must not try CUDA (ONNX Runtime would log an error and the factory a warning on every model
/// load); an install that carries the CUDA provider library still tries it, once while it fails to load.
/// </summary>
public sealed class CudaProviderLibraryTests : IDisposable
{
    private readonly string _app = Directory.CreateTempSubdirectory("cuda-probe-").FullName;

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void A_cpu_runtime_layout_has_no_cuda_provider()
    {
        var native = Directory.CreateDirectory(Path.Combine(_app, "runtimes", "linux-x64", "native")).FullName;
        File.WriteAllBytes(Path.Combine(native, "libonnxruntime.so"), []);
        File.WriteAllBytes(Path.Combine(native, "libonnxruntime_providers_shared.so"), []);

        Assert.False(CudaProviderLibrary.IsInstalledUnder(_app));
    }

    [Theory]
    [InlineData("runtimes/linux-x64/native/libonnxruntime_providers_cuda.so")] // portable build of the GPU package
    [InlineData("libonnxruntime_providers_cuda.so")] // RID-specific publish: natives beside the app
    [InlineData("runtimes/win-x64/native/onnxruntime_providers_cuda.dll")]
    public void A_gpu_runtime_layout_has_it(string relativePath)
    {
        var file = Path.Combine(_app, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, []);

        Assert.True(CudaProviderLibrary.IsInstalledUnder(_app));
    }

    [Fact]
    public void The_tests_run_on_the_cpu_package()
    {
        // MogFace.Engine.Tests references Microsoft.ML.OnnxRuntime (CPU), as the server does by default.
        Assert.False(CudaProviderLibrary.IsInstalled);
    }

    [Theory]
    [InlineData(false, false)] // CPU-only install: CUDA is not tried, so nothing to warn about
    [InlineData(true, true)] // told the library is there on this GPU-less machine: tried, failed, the fallback is a warning
    public void Auto_tries_cuda_only_when_its_library_is_installed(bool cudaProviderInstalled, bool warns)
    {
        var logger = new RecordingLogger();
        var factory = new SessionFactory(new InferenceOptions(), logger, cudaProviderInstalled);

        using var session = factory.Create(File.ReadAllBytes(RepoPaths.YuNet));

        Assert.Equal("CPU", session.Provider);
        Assert.Equal(warns, logger.Levels.Any(level => level >= LogLevel.Warning));
    }

    [Fact]
    public void Auto_stops_trying_cuda_after_its_provider_failed_to_load()
    {
        // The GPU package on a machine without CUDA: the first load warns once, the next ones go straight to CPU.
        var logger = new RecordingLogger();
        var factory = new SessionFactory(new InferenceOptions(), logger, cudaProviderInstalled: true);
        var model = File.ReadAllBytes(RepoPaths.YuNet);

        for (var i = 0; i < 3; i++)
        {
            using var session = factory.Create(model);
            Assert.Equal("CPU", session.Provider);
        }

        Assert.Single(logger.Levels, level => level >= LogLevel.Warning);
    }

    [Fact]
    public void Required_cuda_still_fails_loudly_every_time()
    {
        var factory = new SessionFactory(new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cuda }, cudaProviderInstalled: false);
        var model = File.ReadAllBytes(RepoPaths.YuNet);

        Assert.Throws<InvalidOperationException>(() => factory.Create(model));
        Assert.Throws<InvalidOperationException>(() => factory.Create(model));
    }

    private sealed class RecordingLogger : ILogger<SessionFactory>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }
}
