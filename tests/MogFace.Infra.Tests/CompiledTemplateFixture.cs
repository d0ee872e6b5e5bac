using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MogFace.Infra.Tests;

/// <summary>
/// Runs infra/check.sh once for the whole test run (fetches the Bicep CLI from NuGet if needed, builds and
/// lints infra/main.bicep, fails on any diagnostic) and loads the compiled ARM template it writes.
/// </summary>
public sealed class CompiledTemplateFixture
{
    public CompiledTemplateFixture()
    {
        OutputDirectory = Path.Combine(AppContext.BaseDirectory, "bicep-out");
        Directory.CreateDirectory(OutputDirectory);
        var json = Path.Combine(OutputDirectory, "main.json");
        if (System.IO.File.Exists(json))
        {
            System.IO.File.Delete(json);
        }

        CheckOutput = RunCheckScript(OutputDirectory);
        Text = System.IO.File.ReadAllText(json);
        Template = new ArmTemplate((JsonObject)JsonNode.Parse(Text)!);
    }

    public string OutputDirectory { get; }

    /// <summary>What check.sh printed (bicep version, "OK" line).</summary>
    public string CheckOutput { get; }

    /// <summary>The compiled template as text (for "no secret literal" scans).</summary>
    public string Text { get; }

    public ArmTemplate Template { get; }

    private static string RunCheckScript(string outputDirectory)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.File("infra", "check.sh"));
        start.Environment["BICEP_OUT"] = outputDirectory;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("infra/check.sh did not finish in 5 minutes");
        }

        var output = stdout + stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/check.sh failed (exit {process.ExitCode}):\n{output}");
        }

        return output;
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledTemplateCollection : ICollectionFixture<CompiledTemplateFixture>
{
    public const string Name = "compiled template";
}
