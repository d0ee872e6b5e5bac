using System.Diagnostics;
using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using MogFace.Tests.Contract;
using MogFace.Tests.Shared;

namespace MogFace.Functions.Tests.HostTier;

/// <summary>
/// The Functions app from its <c>dotnet publish</c> output (artifacts/functions, the folder the container image
/// ships) under the real Azure Functions host built by shared/functions-host, on a free loopback port, against
/// a real Azurite. Settings reach the host as environment variables, as they do in Azure. Default container
/// names: the blob trigger's path (<c>weights/{name}</c>) is fixed in the attribute, so each fixture brings its
/// own Azurite instead of its own containers.
/// </summary>
public sealed class FunctionsHostProcess : IServiceEndpoint, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _state;

    private FunctionsHostProcess(Process process, Uri baseAddress, BlobServiceClient blobs, string state, string instanceId)
    {
        _process = process;
        _state = state;
        BaseAddress = baseAddress;
        Weights = blobs.GetBlobContainerClient("weights");
        Models = blobs.GetBlobContainerClient("models");
        InstanceId = instanceId;
    }

    public string HostKind => "functions";
    public Uri BaseAddress { get; }
    public BlobContainerClient Weights { get; }
    public BlobContainerClient Models { get; }
    public string InstanceId { get; }

    /// <summary>The host's and the worker's output so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static string HostDirectory =>
        Environment.GetEnvironmentVariable("MOGFACE_FUNCHOST_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "funchost");

    public static async Task<FunctionsHostProcess> StartAsync(
        AzuriteFixture azurite, string? functionKey = null, string? adminKey = null, IDictionary<string, string?>? settings = null)
    {
        var app = RepoPaths.FunctionsPublish;
        if (!File.Exists(Path.Combine(app, "MogFace.Functions.dll")))
            throw new InvalidOperationException($"{app} holds no published app: run ./test.sh, or `dotnet publish src/MogFace.Functions -c Release -o artifacts/functions`.");
        await EnsureHostBuiltAsync();

        var port = AzuriteFixture.FreePort();
        var suffix = AzuriteFixture.NewContainerSuffix();
        var state = Path.Combine(Path.GetTempPath(), "mogface-funchost-" + suffix);
        var instanceId = "functions-host-" + suffix;
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // env.sh sets what the host needs (script root, URLs, worker runtime, Development) and unsets the
        // variables that would make it believe it runs on an Azure platform; exec keeps the pid the host's.
        // FUNCHOST_ENVIRONMENT (tests only) replaces the Development environment env.sh sets, to run as deployed.
        foreach (var arg in new[] { "-c", ". \"$0\" \"$1\" \"$2\" \"$3\" && export AZURE_FUNCTIONS_ENVIRONMENT=\"${FUNCHOST_ENVIRONMENT:-$AZURE_FUNCTIONS_ENVIRONMENT}\" && exec dotnet \"$FUNCHOST_DLL\"",
                     Path.Combine(RepoPaths.FunctionsHostKit, "env.sh"), HostDirectory, app, port.ToString() })
            start.ArgumentList.Add(arg);
        var environment = new Dictionary<string, string?>
        {
            ["FUNCHOST_STATE_DIR"] = state,
            ["AzureWebJobsStorage"] = azurite.HostConnectionString,
            ["AzureWebJobsSecretStorageType"] = "files",
            ["AzureWebJobs.IngestWeightsEventGrid.Disabled"] = "true",
            ["MogFace__PollInterval"] = "00:00:00.300",
            // The lifecycle tests swap BlazeFace front (a 128-px selfie model, AP 0.35 on the golden set) in after back and
            // YuNet (AP 1.0): the accuracy gate records both APs but never rejects here. AccuracyGateTests set the default.
            ["MogFace__AccuracyMargin"] = "1",
            ["MogFace__ExecutionProvider"] = "cpu",
            ["MogFace__MaxImageBytes"] = ServiceEndpoint.MaxImageBytes.ToString(),
            ["MogFace__MaxImagePixels"] = ServiceEndpoint.MaxImagePixels.ToString(),
            ["MogFace__CacheDirectory"] = Path.Combine(state, "cache"),
            ["MogFace__InstanceId"] = instanceId,
            ["MogFace__IngestionRetryDelay"] = "00:00:00.500",
            ["MogFace__FunctionKey"] = functionKey,
            ["MogFace__AdminKey"] = adminKey,
            // dotnet test's own variables would steer the host's and worker's runtime and MSBuild lookups.
            ["DOTNET_HOST_PATH"] = null,
            ["MSBuildExtensionsPath"] = null,
            ["MSBuildSDKsPath"] = null,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            environment[key] = value;
        foreach (var (key, value) in environment)
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new FunctionsHostProcess(process, new Uri($"http://127.0.0.1:{port}/"), azurite.CreateClient(), state, instanceId);
        process.OutputDataReceived += host.OnLine;
        process.ErrorDataReceived += host.OnLine;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilAnsweringAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    public HttpClient CreateClient(string? key = null) => ServiceEndpoint.CreateClient(BaseAddress, key);

    public Task<string> WaitForModelAsync(string? version = null, TimeSpan? timeout = null) =>
        ServiceEndpoint.WaitForModelAsync(this, version, timeout);

    public bool HasExited => _process.HasExited;

    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private void OnLine(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
            return;
        lock (_log)
        {
            if (_log.Length < 4_000_000)
                _log.AppendLine(e.Data);
            foreach (var waiter in _waiters.Where(w => e.Data.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Completes when the host or worker prints a line containing <paramref name="text"/> (or already has).</summary>
    public Task WhenLoggedAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_log)
        {
            if (_log.ToString().Contains(text, StringComparison.Ordinal))
                return Task.CompletedTask;
            _waiters.Add((text, seen));
        }
        return seen.Task.WaitAsync(timeout);
    }

    /// <summary>The host answers health (200 or 503) once it has indexed the worker's functions.</summary>
    private async Task WaitUntilAnsweringAsync()
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The Functions host exited ({_process.ExitCode}):\n{Tail()}");
            try
            {
                using var response = await client.GetAsync("api/health");
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable
                    && response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json")
                    return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The Functions host did not answer /api/health within {StartTimeout}:\n{Tail()}");
    }

    public string Tail(int lines = 60) => string.Join('\n', Log.Split('\n').TakeLast(lines));

    /// <summary>build.sh is idempotent ("up to date" in well under a second); test.sh has already run it.</summary>
    private static async Task EnsureHostBuiltAsync()
    {
        var build = Path.Combine(RepoPaths.FunctionsHostKit, "build.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(build);
        start.ArgumentList.Add(HostDirectory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Building the Functions host failed:\n{await output}\n{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_process, TimeSpan.FromSeconds(15));
        try { Directory.Delete(_state, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
