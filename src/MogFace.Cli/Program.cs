using System.CommandLine;
using MogFace.Cli.Commands;

namespace MogFace.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    internal static RootCommand BuildRoot() => new("mogface: face detection with MogFace / BlazeFace ONNX models")
    {
        DetectCommand.Create(),
        EvalCommand.Create(),
        BenchCommand.Create(),
    };
}
