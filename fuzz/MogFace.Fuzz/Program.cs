using MogFace.Fuzz;
using SharpFuzz;

// One process per target, chosen by the first argument. Under afl-fuzz, SharpFuzz's fork-server loop feeds each
// generated input to the target; run by hand (no AFL environment) it reads one input from stdin
// (`dotnet MogFace.Fuzz.dll image < crash-file`). `--replay <dir>` runs every file of a folder in one process and
// names each that breaks the contract: how scripts/fuzz.sh checks the seed corpus and its regression cases.
if (args.Length is not (1 or 3) || !FuzzTargets.All.TryGetValue(args[0], out var target) || (args.Length == 3 && args[1] != "--replay"))
{
    Console.Error.WriteLine($"usage: MogFace.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [--replay <dir>]  (else one input on stdin)");
    return 2;
}
CoverageMap.UsePrivate();
target.Prepare();
if (args.Length == 3)
    return CorpusReplay.Run(target, args[0], args[2]);
Fuzzer.OutOfProcess.Run(target.Run);
return 0;
