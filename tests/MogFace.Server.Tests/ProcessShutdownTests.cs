using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MogFace.Engine.Json;
using MogFace.Registry.Storage;
using MogFace.Server.Tests.Infrastructure;
using MogFace.Tests.Shared;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 14, at the process level: the built server (<c>dotnet MogFace.Server.dll</c>, as the container runs
/// it) against a real Azurite, stopped with SIGTERM as an orchestrator stops a replica. It must exit by itself, with
/// status 0, after writing its last heartbeat ("stopped"). The grace given here only catches a hang; the 2 s the
/// host allows itself is <see cref="ShutdownTests"/>.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class ProcessShutdownTests(KeyedServerFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Sigterm_stops_the_server_process_cleanly_and_its_last_heartbeat_says_stopped()
    {
        var server = Path.Combine(RepoPaths.Root, "src", "MogFace.Server", "bin", "Release", "net10.0", "MogFace.Server.dll");
        Assert.True(File.Exists(server), $"{server} is not built: run ./test.sh (or dotnet build -c Release).");
        var suffix = AzuriteFixture.NewContainerSuffix();
        var instanceId = "sigterm-" + suffix;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(server)!, // its appsettings.json, as in the container
            Environment =
            {
                ["PORT"] = AzuriteFixture.FreePort().ToString(),
                ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
                ["MogFace__ModelsContainer"] = $"models-{suffix}",
                ["MogFace__WeightsContainer"] = $"weights-{suffix}",
                ["MogFace__InstanceId"] = instanceId,
                ["MogFace__CacheDirectory"] = Path.Combine(TestTemp.Root, suffix),
                ["MogFace__ExecutionProvider"] = "cpu",
                ["MogFace__FunctionKey"] = KeyedServerFixture.FunctionKey,
                ["MogFace__AdminKey"] = KeyedServerFixture.AdminKey,
            },
        };
        start.ArgumentList.Add(server);

        using var process = new Process { StartInfo = start };
        var log = new StringBuilder();
        var listening = ChildProcess.StartLogged(process, log, "Now listening on");
        try
        {
            await Task.WhenAny(listening, process.WaitForExitAsync()).WaitAsync(Patience);
            Assert.False(process.HasExited, $"The server exited at start-up:\n{log}");

            Assert.True(await ChildProcess.TerminateAsync(process, Patience), $"The server ignored SIGTERM:\n{log}");
            Assert.True(process.ExitCode == 0, $"Exit status {process.ExitCode}:\n{log}");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }

        var heartbeat = fixture.Azurite.CreateClient().GetBlobContainerClient($"models-{suffix}").GetBlobClient($"instances/{instanceId}.json");
        var stored = JsonSerializer.Deserialize<InstanceHeartbeat>((await heartbeat.DownloadContentAsync()).Value.Content.ToString(), MogFaceJson.Options);
        Assert.Equal("stopped", stored!.State);
    }
}
