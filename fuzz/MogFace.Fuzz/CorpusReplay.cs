namespace MogFace.Fuzz;

/// <summary>Runs a target over every file of a folder in one process: the seed corpus and the kept crashes.</summary>
internal static class CorpusReplay
{
    /// <returns>0 when every file meets the contract, 1 otherwise (each failure printed with its exception).</returns>
    public static int Run(IFuzzTarget target, string name, string directory)
    {
        var files = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList();
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                using var input = File.OpenRead(file);
                target.Run(input);
            }
            catch (Exception ex)
            {
                failed++;
                Console.Error.WriteLine($"fuzz {name}: {file} breaks the contract: {ex.GetType().FullName}: {ex.Message}");
                Console.Error.WriteLine(ex.StackTrace);
            }
        }
        Console.Error.WriteLine($"fuzz {name}: replayed {files.Count} corpus files, {failed} broke the contract");
        return failed == 0 ? 0 : 1;
    }
}
