using System.CommandLine;
using MogFace.Cli.Commands;

namespace MogFace.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    internal static RootCommand BuildRoot()
    {
        var bench = BenchCommand.Create();
        bench.Subcommands.Add(HttpBenchCommand.Create());
        bench.Subcommands.Add(SoakCommand.Create());
        return new RootCommand("mogface: face detection with MogFace / BlazeFace ONNX models")
        {
            DetectCommand.Create(),
            EvalCommand.Create(),
            bench,
            PublishCommand.Create(),
            ModelsCommand.Create(),
        };
    }
}
