using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace MogFace.Tests.Shared;

/// <summary>
/// A private Azurite (npm azurite 3.37.0 from the repository's node_modules) on free ports, shared by a test
/// collection. It stores to a temporary folder (not <c>--inMemoryPersistence</c>) so <see cref="StopAsync"/> /
/// <see cref="StartAsync"/> simulate a storage outage without losing the data. Tests isolate themselves with
/// their own container names (<see cref="NewContainerSuffix"/>).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _location = Path.Combine(Path.GetTempPath(), "mogface-azurite-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringBuilder _log = new();
    private Process? _process;

    public int BlobPort { get; private set; }
    public int QueuePort { get; private set; }
    public int TablePort { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};";

    /// <summary>With the queue and table endpoints too: what a Functions host needs (blob triggers use queues, keys and locks blobs).</summary>
    public string HostConnectionString =>
        ConnectionString + $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Azurite's own output so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public async Task InitializeAsync()
    {
        BlobPort = FreePort();
        QueuePort = FreePort();
        TablePort = FreePort();
        Directory.CreateDirectory(_location);
        await StartAsync();
    }

    /// <summary>A client that gives up fast (one retry, short timeouts): a stopped Azurite must not cost minutes.</summary>
    public BlobServiceClient CreateClient(HttpPipelinePolicy? policy = null)
    {
        var options = new BlobClientOptions
        {
            Retry =
            {
                MaxRetries = 1,
                Mode = RetryMode.Fixed,
                Delay = TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromMilliseconds(200),
                NetworkTimeout = TimeSpan.FromSeconds(10),
            },
        };
        if (policy is not null)
            options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        return new BlobServiceClient(ConnectionString, options);
    }

    /// <summary>Lower-case letters and digits for container names unique to one test.</summary>
    public static string NewContainerSuffix() => Guid.NewGuid().ToString("N")[..10];

    public async Task StartAsync()
    {
        if (IsRunning)
            return;
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"Azurite is not installed ({script} missing): run `npm install` at the repository root.");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     script, "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(), "--queuePort", QueuePort.ToString(),
                     "--tablePort", TablePort.ToString(), "--location", _location, "--skipApiVersionCheck", "--disableTelemetry", "--silent",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var listening = ChildProcess.StartLogged(process, _log, "Blob service is successfully listening");
        _process = process;
        if (await Task.WhenAny(listening, process.WaitForExitAsync()).WaitAsync(StartTimeout) != listening)
            throw new InvalidOperationException($"Azurite exited early:\n{Log}");
        await WaitForPortAsync(BlobPort);
    }

    /// <summary>
    /// Stops Azurite as an orchestrator would (SIGTERM, so it saves its metadata database; a SIGKILL can lose
    /// the writes of the last seconds), killing it if it does not exit in time.
    /// </summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
            return;
        await ChildProcess.StopAsync(process, TimeSpan.FromSeconds(15));
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        TestTemp.Delete();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        // Azurite said it listens; confirm the socket accepts before the first test talks to it.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(StartTimeout);
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
