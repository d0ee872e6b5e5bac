using MogFace.Engine.Imaging;

namespace MogFace.Cli.Commands;

internal static class CommandRunner
{
    /// <summary>Runs a command body and turns user errors into one line on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (ImageInputException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
    }
}
